/**
 * `longshore explain EVENT_FILE`: the policy simulator. What the service would do with this event
 * and why: for a task STOPPED event, every rule in order and which one decides; for an upload, the
 * jobs and run ids; for a schedule tick, the job, run id and overlap policy; for a finished run's
 * event, the jobs that run after it, with the environment their tasks get.
 */
import type { Catalog, Job } from '../catalog/schema.ts';
import { parseTaskStateChange, type TaskDetail } from '../contracts/ecs.ts';
import { parseFinishedRunEvent } from '../contracts/runEvents.ts';
import { parseUploads } from '../contracts/s3.ts';
import { parseScheduleTick } from '../contracts/schedule.ts';
import { followersOf, upstreamOf, upstreamTriggerOf } from '../domain/afterMatch.ts';
import { type AttemptFacts, factsFromTaskDetail } from '../domain/attemptFacts.ts';
import { describeBatch, triggerForObject } from '../domain/batch.ts';
import { parseStartedBy } from '../domain/names.ts';
import { newRun } from '../domain/newRun.ts';
import { decide, type PolicyRun, ruleMatches, rulesFor, type Verdict } from '../domain/policy.ts';
import type { Run, RunTrigger, UpstreamRun, UpstreamTrigger } from '../domain/run.ts';
import { RUN_EVENT_SOURCE } from '../domain/runEvents.ts';
import { runIdFor } from '../domain/runId.ts';
import { jobsForObject } from '../domain/s3Match.ts';
import { upstreamEnvironment } from '../domain/taskRequest.ts';
import { isSpotNotice } from '../domain/taskStatus.ts';
import { explainBusEvent, explainMessages, type TriggerEventExplanation } from './explainTriggerEvent.ts';

export type Explanation =
  | {
      kind: 'task';
      job: string;
      runId?: string;
      attempt?: number;
      status: string;
      note?: string;
      facts?: AttemptFacts;
      rules?: { name: string; action: string; matched: boolean; decides: boolean }[];
      verdict?: Verdict;
      assumed: string;
    }
  | {
      kind: 'upload';
      /** `batch`: the job's trigger batches the object (its run is the batch's, not the object's). */
      objects: { bucket: string; key: string; jobs: { job: string; runId: string; batch?: string }[] }[];
      ignored: string[];
    }
  | { kind: 'schedule'; job?: string; runId?: string; overlap?: string; note: string }
  | TriggerEventExplanation
  | { kind: 'messages'; messages: TriggerEventExplanation[] }
  | {
      kind: 'runEvent';
      upstream: { runId: string; job: string; status: string };
      starts: { job: string; runId: string; triggerIndex: number; environment: Record<string, string> }[];
      note: string;
    };

const jobFromTask = (catalog: Catalog, d: TaskDetail): Job | undefined => {
  const ref = parseStartedBy(d.startedBy);
  const family = d.taskDefinitionArn?.split('/').pop()?.split(':')[0] ?? d.group?.replace(/^family:/, '');
  return catalog.jobs.find((j) => ref?.runId.startsWith(`${j.name}-`) || family?.endsWith(`-${j.name}`));
};

/**
 * A finished run's event: the jobs that run after it and what their tasks get of it. The handler
 * reads the run from the store (its status and outcome are the truth); this reads them from the
 * event, or from the run given with --run.
 */
const explainRunEvent = (catalog: Catalog, event: unknown, stage: string, run?: Run): Explanation => {
  const f = parseFinishedRunEvent(event);
  const upstream: UpstreamRun = run
    ? upstreamOf(run)
    : {
        runId: f.runId,
        job: f.job,
        status: f.status,
        trigger: eventTrigger(f.trigger),
        ...(f.finishedAt ? { finishedAt: f.finishedAt } : {}),
        ...(f.exitCode !== undefined ? { exitCode: f.exitCode } : {}),
        ...(f.result !== undefined ? { result: f.result } : {}),
      };
  const starts = followersOf(catalog, upstream).map(({ job, triggerIndex }) => {
    const next = newRun({ job, trigger: { type: 'after', upstream, triggerIndex } }, new Date(0));
    return { job: job.name, runId: next.runId, triggerIndex, environment: upstreamEnvironment(upstream) };
  });
  const note =
    f.stage !== stage
      ? `a run event of stage '${f.stage}', not '${stage}': the after rule does not deliver it`
      : starts.length === 0
        ? `no job runs after ${f.job} ${upstream.status}: nothing starts`
        : 'each run once, however often the event is delivered (its id derives from the upstream run id)';
  return {
    kind: 'runEvent',
    upstream: { runId: upstream.runId, job: upstream.job, status: upstream.status },
    starts: f.stage === stage ? starts : [],
    note,
  };
};

/** The upstream trigger an event carries, for explain only: an incomplete one reads as its kind. */
const eventTrigger = (t: RunTrigger): UpstreamTrigger => {
  const o = (t.type === 'retry' ? (t as { original?: RunTrigger }).original : t) ?? t;
  if (o.type === 'after') {
    const u = (o as { upstream?: { runId?: unknown; job?: unknown } }).upstream;
    return { type: 'after', upstreamRunId: String(u?.runId ?? '?'), upstreamJob: String(u?.job ?? '?') };
  }
  return upstreamTriggerOf(o);
};

/** The AWS sources explain reads as uploads, ticks and task changes; any other source is a trigger's event. */
const AWS_SOURCES = ['aws.s3', 'aws.scheduler', 'aws.events', 'aws.ecs'];

export const explainEvent = (catalog: Catalog, event: unknown, stage: string, run?: Run): Explanation => {
  const e = event as { source?: string; Records?: unknown; longshore?: string };
  if (e.source === RUN_EVENT_SOURCE) return explainRunEvent(catalog, event, stage, run);
  const first = Array.isArray(e.Records) ? (e.Records[0] as { eventSource?: string } | undefined) : undefined;
  if (first?.eventSource === 'aws:sqs') return { kind: 'messages', messages: explainMessages(catalog, event, stage) };
  if (
    e.longshore === 'event' ||
    (typeof e.source === 'string' && !AWS_SOURCES.includes(e.source) && 'detail-type' in e)
  )
    return explainBusEvent(catalog, event, stage);
  if (e.source === 'aws.s3' || e.Records !== undefined || (e as { Event?: string }).Event === 's3:TestEvent') {
    const { objects, ignored } = parseUploads(event);
    return {
      kind: 'upload',
      objects: objects.map((o) => ({
        bucket: o.bucket,
        key: o.key,
        jobs: jobsForObject(catalog, o.bucket, o.key).map((j) => {
          const t = triggerForObject(j, o.bucket, o.key);
          return {
            job: j.name,
            runId: runIdFor(j.name, { type: 's3', ...o }),
            ...(t?.trigger.batch ? { batch: describeBatch(t.trigger.batch) } : {}),
          };
        }),
      })),
      ignored,
    };
  }
  if (e.longshore === 'schedule' || e.source === 'aws.scheduler' || e.source === 'aws.events') {
    const tick = parseScheduleTick(event, stage);
    const job = catalog.jobs.find((j) => j.name === tick.job);
    if (!job)
      return {
        kind: 'schedule',
        note: `'${tick.schedule}' names no job of this catalog in stage '${stage}': the handler rejects it (dead-letter)`,
      };
    const t = job.triggers[tick.triggerIndex ?? 0];
    const runId = runIdFor(job.name, { type: 'schedule', schedule: tick.schedule, scheduledTime: tick.scheduledTime });
    return {
      kind: 'schedule',
      job: job.name,
      runId,
      overlap: t?.type === 'schedule' ? t.overlap : undefined,
      note: `creates run ${runId} unless it exists; with overlap '${t?.type === 'schedule' ? t.overlap : '?'}' when another run of ${job.name} is active`,
    };
  }
  const d = parseTaskStateChange(event);
  const job = (run && catalog.jobs.find((j) => j.name === run.job)) ?? jobFromTask(catalog, d);
  const ref = parseStartedBy(d.startedBy);
  if (!job)
    return {
      kind: 'task',
      job: '?',
      status: d.lastStatus,
      note: 'not a task of this catalog: the handler ignores it',
      assumed: '',
    };
  const base = {
    kind: 'task' as const,
    job: job.name,
    ...(ref ? { runId: ref.runId, attempt: ref.attempt } : {}),
    status: d.lastStatus,
  };
  if (isSpotNotice(d))
    return { ...base, note: 'Spot two-minute notice: recorded on the attempt; the STOPPED event decides', assumed: '' };
  if (d.lastStatus !== 'STOPPED')
    return {
      ...base,
      note: `${d.lastStatus}: the attempt and run move to ${d.lastStatus} (with its version ${d.version}); no decision yet`,
      assumed: '',
    };
  const facts = factsFromTaskDetail(job, d);
  const policyRun: PolicyRun = run
    ? { runId: run.runId, attempt: run.attempt, capacity: run.capacity, size: run.size, retries: run.retries }
    : {
        runId: ref?.runId ?? `${job.name}-explain`,
        attempt: ref?.attempt ?? 1,
        capacity: d.capacityProviderName ?? (job.capacity.type === 'fargate-spot' ? 'FARGATE_SPOT' : 'FARGATE'),
        size: { cpu: Number(d.cpu ?? job.size.cpu), memory: Number(d.memory ?? job.size.memory) },
        retries: { app: 0, infra: 0, rules: {} },
      };
  const verdict = decide(job, policyRun, facts);
  let decided = false;
  const rules = rulesFor(job).map((r) => {
    const matched = ruleMatches(r, facts);
    const decides = !decided && matched && verdict.rule === r.name;
    if (decides) decided = true;
    return { name: r.name, action: r.action, matched, decides };
  });
  return {
    ...base,
    facts,
    rules,
    verdict,
    assumed: run
      ? `run ${run.runId} as recorded (attempt ${run.attempt})`
      : `attempt ${policyRun.attempt}, no retries used yet (pass --run RUN for the real budgets)`,
  };
};
