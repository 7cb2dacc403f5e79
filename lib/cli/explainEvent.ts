/**
 * `longshore explain EVENT_FILE`: the policy simulator. What the service would do with this event
 * and why: for a task STOPPED event, every rule in order and which one decides; for an upload, the
 * jobs and run ids; for a schedule tick, the job, run id and overlap policy.
 */
import type { Catalog, Job } from '../catalog/schema.ts';
import { parseTaskStateChange, type TaskDetail } from '../contracts/ecs.ts';
import { parseUploads } from '../contracts/s3.ts';
import { parseScheduleTick } from '../contracts/schedule.ts';
import { type AttemptFacts, factsFromTaskDetail } from '../domain/attemptFacts.ts';
import { parseStartedBy } from '../domain/names.ts';
import { decide, type PolicyRun, ruleMatches, rulesFor, type Verdict } from '../domain/policy.ts';
import type { Run } from '../domain/run.ts';
import { runIdFor } from '../domain/runId.ts';
import { jobsForObject } from '../domain/s3Match.ts';
import { isSpotNotice } from '../domain/taskStatus.ts';

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
      objects: { bucket: string; key: string; jobs: { job: string; runId: string }[] }[];
      ignored: string[];
    }
  | { kind: 'schedule'; job?: string; runId?: string; overlap?: string; note: string };

const jobFromTask = (catalog: Catalog, d: TaskDetail): Job | undefined => {
  const ref = parseStartedBy(d.startedBy);
  const family = d.taskDefinitionArn?.split('/').pop()?.split(':')[0] ?? d.group?.replace(/^family:/, '');
  return catalog.jobs.find((j) => ref?.runId.startsWith(`${j.name}-`) || family?.endsWith(`-${j.name}`));
};

export const explainEvent = (catalog: Catalog, event: unknown, stage: string, run?: Run): Explanation => {
  const e = event as { source?: string; Records?: unknown; longshore?: string };
  if (e.source === 'aws.s3' || e.Records !== undefined || (e as { Event?: string }).Event === 's3:TestEvent') {
    const { objects, ignored } = parseUploads(event);
    return {
      kind: 'upload',
      objects: objects.map((o) => ({
        bucket: o.bucket,
        key: o.key,
        jobs: jobsForObject(catalog, o.bucket, o.key).map((j) => ({
          job: j.name,
          runId: runIdFor(j.name, { type: 's3', ...o }),
        })),
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
