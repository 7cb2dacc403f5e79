/**
 * `explain` for the events of `event` and `sqs` triggers (issue 14, section 4): which jobs an
 * EventBridge event or an SQS message would start, as which run, with which environment, or why it
 * cannot become a run. The same pure code as the handlers (lib/domain/eventTrigger.ts) and the
 * pattern matcher the local bus uses (deployed, the rules match).
 */
import type { Catalog, Job } from '../catalog/schema.ts';
import { queueRecord } from '../contracts/customEvents.ts';
import { matchesEventPattern } from '../domain/eventPattern.ts';
import {
  busOf,
  type DataTrigger,
  eventRunTrigger,
  eventTriggers,
  extract,
  messageRequests,
  queueKey,
} from '../domain/eventTrigger.ts';
import { newRun } from '../domain/newRun.ts';
import type { RunTrigger } from '../domain/run.ts';
import { triggerEnvironment } from '../domain/taskRequest.ts';

export interface TriggerStart {
  job: string;
  triggerIndex: number;
  /** The bus (event triggers) or queue (sqs triggers) the trigger reads. */
  from: string;
  runId?: string;
  environment?: Record<string, string>;
  /** Why this matching trigger cannot start a run (the event goes to the dead-letter queue). */
  problems?: string[];
}

export type TriggerEventExplanation = {
  kind: 'triggerEvent';
  /** `event <id> (source, detail-type)` or `message <id> on <queue>`. */
  what: string;
  starts: TriggerStart[];
  note: string;
};

const start = (stage: string, job: Job, triggerIndex: number, from: string, trigger: RunTrigger): TriggerStart => {
  const run = newRun({ job, trigger }, new Date(0));
  // What the task gets of the trigger: the trigger's variables and longshore's own (not the job's fixed environment).
  return { job: job.name, triggerIndex, from, runId: run.runId, environment: triggerEnvironment(stage, run) };
};

const noteFor = (starts: TriggerStart[]): string =>
  starts.length === 0
    ? 'no trigger takes it: nothing starts'
    : starts.some((s) => s.problems)
      ? 'a trigger that cannot take it rejects it: retried, then kept in the dead-letter queue with the reason'
      : 'each run once, however often it is delivered (its id derives from the trigger identity)';

/** An EventBridge event (or the wrapped delivery an event trigger's rule sends): every trigger whose pattern matches it. */
export const explainBusEvent = (catalog: Catalog, raw: unknown, stage: string): TriggerEventExplanation => {
  const wrapped = (raw as { longshore?: unknown }).longshore === 'event';
  const w = raw as { job?: string; trigger?: number; event?: Record<string, unknown> };
  const event = (wrapped ? w.event : raw) as Record<string, unknown>;
  const id = String(event?.id ?? '?');
  const header = { id, source: String(event?.source ?? '?'), 'detail-type': String(event?.['detail-type'] ?? '?') };
  const candidates = eventTriggers(catalog).filter((e) =>
    wrapped ? e.job.name === w.job && e.triggerIndex === w.trigger : matchesEventPattern(e.trigger.pattern, event),
  );
  const starts = candidates.map(({ job, triggerIndex, trigger }) => {
    const bus = `bus ${busOf(trigger)}`;
    const taken = extract(trigger as DataTrigger, event);
    if (!taken.ok) return { job: job.name, triggerIndex, from: bus, problems: taken.problems };
    return start(stage, job, triggerIndex, bus, eventRunTrigger(triggerIndex, header, taken));
  });
  return {
    kind: 'triggerEvent',
    what: `event ${id} (${header.source}, ${header['detail-type']})`,
    starts,
    note: noteFor(starts),
  };
};

/** An SQS batch as an sqs trigger's event source mapping delivers it: each message, each trigger of its queue. */
export const explainMessages = (catalog: Catalog, raw: unknown, stage: string): TriggerEventExplanation[] =>
  ((raw as { Records?: unknown[] }).Records ?? []).map((r) => {
    const parsed = queueRecord.safeParse(r);
    const id = String((r as { messageId?: unknown })?.messageId ?? '?');
    if (!parsed.success)
      return {
        kind: 'triggerEvent',
        what: `message ${id}`,
        starts: [],
        note: 'not an SQS record: a batch item failure',
      };
    const record = parsed.data;
    const what = `message ${id} on ${record.eventSourceARN}`;
    try {
      // The queue as the catalog names it: a literal ARN, or (a parameter's) any queue of the same name.
      const keyOf = (arn: string) =>
        catalog.jobs
          .flatMap((j) => j.triggers)
          .flatMap((t) => (t.type === 'sqs' ? [queueKey(t.queue)] : []))
          .find((k) => k === arn || k.split(':').pop() === arn.split(':').pop());
      const requests = messageRequests(catalog, record, keyOf);
      const starts = requests.map((q) =>
        start(
          stage,
          q.job,
          (q.trigger as { triggerIndex: number }).triggerIndex,
          `queue ${record.eventSourceARN}`,
          q.trigger,
        ),
      );
      return { kind: 'triggerEvent', what, starts, note: noteFor(starts) };
    } catch (e) {
      return {
        kind: 'triggerEvent',
        what,
        starts: [],
        note: `cannot become a run: ${(e as Error).message}; a batch item failure, received again, then dead-lettered by the queue's redrive policy`,
      };
    }
  });
