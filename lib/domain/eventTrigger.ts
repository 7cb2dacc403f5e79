/**
 * Any event as a trigger (issue 14, section 4): what an `event` or `sqs` trigger takes from the
 * document it gets (the EventBridge event; the SQS record with its body parsed as JSON) for the run:
 * the identity its run id derives from and the task's variables. Pure: the use case
 * (lib/acceptEvent.ts), the local router and `explain` all call it.
 *
 * Decisions (docs/decisions.md, "Any event as a trigger"): a path that is missing or null in the
 * document is an error, never an empty variable (a task started without its order id is worse than
 * an event kept in a dead-letter queue); strings pass as they are, numbers and booleans as their JSON
 * text, objects and lists as JSON; a value holding control characters, or longer than
 * MAX_EVENT_VALUE_CHARS, or variables together longer than MAX_EVENT_ENVIRONMENT_CHARS, are errors.
 */
import type { Catalog, EventTrigger, Job, QueueTrigger } from '../catalog/schema.ts';
import { RequestRejectedError } from '../errors.ts';
import { isMissing, parsePath, readPath } from './eventPath.ts';
import { matchesEventPattern } from './eventPattern.ts';
import type { RunRequest } from './newRun.ts';
import type { EventRunTrigger, MessageRunTrigger } from './run.ts';
import { firstControlChar } from './taskEnvironment.ts';

/** One variable's value (ECS documents no per-value limit; this keeps a run's record small). */
export const MAX_EVENT_VALUE_CHARS = 4096;
/**
 * Names and values together. RunTask's overrides hold at most 8,192 characters, JSON included
 * (lib/domain/taskRequest.ts); longshore's own variables and a manual override need the rest.
 */
export const MAX_EVENT_ENVIRONMENT_CHARS = 6144;
/** At most this many variables from one trigger. */
export const MAX_EVENT_VARIABLES = 50;
/** One identity value (hashed into the run id, but kept on the run). */
export const MAX_IDENTITY_CHARS = 1024;

export type DataTrigger = EventTrigger | QueueTrigger;

export const identityPaths = (t: DataTrigger): string[] => (Array.isArray(t.identity) ? t.identity : [t.identity]);

/** A value of the document as a variable's text, or why it cannot be one. */
const asText = (v: unknown): { text: string } | { problem: string } => {
  if (isMissing(v)) return { problem: 'is not in the event' };
  if (v === null) return { problem: 'is null in the event' };
  return { text: typeof v === 'string' ? v : JSON.stringify(v) };
};

export type Extraction =
  | { ok: true; identity: string[]; environment: Record<string, string> }
  | { ok: false; problems: string[] };

/**
 * The identity and the variables a trigger takes from a document, or every reason it cannot.
 * Messages name the variable and the path, never the value (an event may carry secrets).
 *
 * @example extract({ ...t, environment: { ORDER_ID: '$.detail.orderId' } }, event) // { ok: true, identity: ['e-1'], environment: { ORDER_ID: 'o-42' } }
 */
export const extract = (t: DataTrigger, doc: unknown): Extraction => {
  const problems: string[] = [];
  const read = (path: string, what: string, max: number): string | undefined => {
    const steps = parsePath(path);
    if (!steps) {
      problems.push(`${what}: '${path}' is not a supported path`);
      return undefined;
    }
    const r = asText(readPath(steps, doc));
    if ('problem' in r) {
      problems.push(`${what}: ${path} ${r.problem}`);
      return undefined;
    }
    const bad = firstControlChar(r.text);
    if (bad) problems.push(`${what}: the value at ${path} holds a control character (${bad})`);
    else if (r.text.length > max)
      problems.push(`${what}: the value at ${path} is ${r.text.length} characters; at most ${max}`);
    else return r.text;
    return undefined;
  };
  const identity = identityPaths(t).map((p) => read(p, 'identity', MAX_IDENTITY_CHARS) ?? '');
  const environment: Record<string, string> = {};
  for (const [name, path] of Object.entries(t.environment)) {
    const value = read(path, name, MAX_EVENT_VALUE_CHARS);
    if (value !== undefined) environment[name] = value;
  }
  const size = Object.entries(environment).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size > MAX_EVENT_ENVIRONMENT_CHARS)
    problems.push(`environment: the variables are ${size} characters together; at most ${MAX_EVENT_ENVIRONMENT_CHARS}`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, identity, environment };
};

/** The event trigger at an index of a job, or undefined. */
export const eventTriggerAt = (job: Job, index: number): EventTrigger | undefined => {
  const t = job.triggers[index];
  return t?.type === 'event' ? t : undefined;
};

/** The bus an event trigger's rule is on (`default` when none is named). */
export const busOf = (t: EventTrigger): string => t.bus ?? 'default';

/** Every event trigger of the catalog, with its job and index (one EventBridge rule each). */
export const eventTriggers = (catalog: Catalog): { job: Job; triggerIndex: number; trigger: EventTrigger }[] =>
  catalog.jobs.flatMap((job) =>
    job.triggers.flatMap((trigger, triggerIndex) => (trigger.type === 'event' ? [{ job, triggerIndex, trigger }] : [])),
  );

/** Every sqs trigger of the catalog, with its job and index. */
export const queueTriggers = (catalog: Catalog): { job: Job; triggerIndex: number; trigger: QueueTrigger }[] =>
  catalog.jobs.flatMap((job) =>
    job.triggers.flatMap((trigger, triggerIndex) => (trigger.type === 'sqs' ? [{ job, triggerIndex, trigger }] : [])),
  );

/**
 * onMessage's timeout, seconds: an event source mapping cannot be created on a queue whose
 * visibility timeout is shorter ("Queue visibility timeout: N seconds is less than Function timeout"),
 * and Lambda recommends at least six times it (Lambda developer guide, SQS event source mappings).
 */
export const MESSAGE_FUNCTION_TIMEOUT_SECONDS = 30;

/** A queue as the catalog names it: its ARN, or `param:<name>` for a stage parameter. */
export const queueKey = (q: QueueTrigger['queue']): string => (typeof q === 'string' ? q : `param:${q.param}`);

/** The distinct queues of the catalog's sqs triggers, in a stable order (one event source mapping each). */
export const queueKeys = (catalog: Catalog): string[] =>
  [...new Set(queueTriggers(catalog).map((q) => queueKey(q.trigger.queue)))].sort();

/**
 * The event triggers a rule would deliver this event to (the local bus and `explain`; in AWS the
 * rules decide): those on this bus whose pattern matches.
 */
export const matchingEventTriggers = (catalog: Catalog, event: unknown, bus = 'default') =>
  eventTriggers(catalog).filter((e) => busOf(e.trigger) === bus && matchesEventPattern(e.trigger.pattern, event));

/** The run trigger an EventBridge event makes, from what `extract` took. */
export const eventRunTrigger = (
  triggerIndex: number,
  event: { id: string; source: string; 'detail-type': string },
  taken: { identity: string[]; environment: Record<string, string> },
): EventRunTrigger => ({
  type: 'event',
  triggerIndex,
  identity: taken.identity,
  eventId: event.id,
  source: event.source,
  detailType: event['detail-type'],
  environment: taken.environment,
});

/** The run trigger an SQS message makes. */
export const messageRunTrigger = (
  triggerIndex: number,
  message: { messageId: string; queue: string },
  taken: { identity: string[]; environment: Record<string, string> },
): MessageRunTrigger => ({
  type: 'sqs',
  triggerIndex,
  identity: taken.identity,
  messageId: message.messageId,
  queue: message.queue,
  environment: taken.environment,
});

/** An SQS record as an sqs trigger reads it (checked at the edge: lib/contracts/customEvents.ts). */
export interface MessageRecord {
  messageId: string;
  body: string;
  eventSourceARN: string;
  [field: string]: unknown;
}

/** The document an sqs trigger's paths read: the record, its body parsed as JSON. */
export const messageDocument = (r: MessageRecord): Record<string, unknown> => {
  let body: unknown;
  try {
    body = JSON.parse(r.body);
  } catch {
    throw new RequestRejectedError(`message ${r.messageId}: its body is not JSON`);
  }
  return { ...r, body };
};

/** The runs one message asks for: one per sqs trigger of its queue (each job's own identity). */
export const messageRequests = (
  catalog: Catalog,
  record: MessageRecord,
  queueKeyOf: (arn: string) => string | undefined,
): RunRequest[] => {
  const key = queueKeyOf(record.eventSourceARN);
  const triggers = queueTriggers(catalog).filter((q) => key !== undefined && queueKey(q.trigger.queue) === key);
  if (triggers.length === 0)
    throw new RequestRejectedError(`queue ${record.eventSourceARN} is not a queue of any sqs trigger in this catalog`);
  const doc = messageDocument(record);
  return triggers.map(({ job, triggerIndex, trigger }) => {
    const taken = extract(trigger, doc);
    if (!taken.ok)
      throw new RequestRejectedError(
        `message ${record.messageId} cannot start ${job.name}: ${taken.problems.join('; ')}`,
      );
    return {
      job,
      trigger: messageRunTrigger(triggerIndex, { messageId: record.messageId, queue: record.eventSourceARN }, taken),
    };
  });
};
