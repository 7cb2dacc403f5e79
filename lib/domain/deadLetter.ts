/**
 * A message of a dead-letter queue, read: what it is, the error it carries, the run it concerns,
 * and where a redrive sends it back. The stack has two queues:
 *
 * - the **launch DLQ**: launch messages (`{ v: 1, runId, attempt }`) that failed 10 receives of the
 *   launch queue (its RedrivePolicy). SQS keeps no error with them; the run names the failure.
 *   A redrive sends them back to the launch queue.
 * - the **events DLQ**, fed three ways: an async function's on-failure destination (Lambda's
 *   invocation record: `requestContext` with `functionArn` and `condition`, `requestPayload`, the
 *   `responsePayload` with `errorType`/`errorMessage`), an EventBridge rule target that could not be
 *   delivered (the event as the body; `ERROR_CODE`, `ERROR_MESSAGE`, `RULE_ARN`, `TARGET_ARN`
 *   message attributes) and a Scheduler target (its Input as the body; `ERROR_CODE`, `ERROR_MESSAGE`,
 *   `SCHEDULE_ARN`, `TARGET_ARN`...). A redrive invokes the function again with the original event.
 */
import { RUN_ID_PATTERN } from './runId.ts';

export type DeadLetterQueue = 'launch' | 'events';

/** A message as a queue hands it over (SQS's ReceiveMessage, or the local flow's file). */
export interface RawDeadLetter {
  messageId: string;
  body: string;
  /** String message attributes (EventBridge, Scheduler, Lambda's legacy DLQ). */
  attributes?: Record<string, string>;
  /** When it arrived in this queue (SQS SentTimestamp), ISO 8601. */
  sentAt?: string;
  /** How many times it was received (from this queue, SQS ApproximateReceiveCount). */
  receiveCount?: number;
}

export interface DeadLetter {
  id: string;
  queue: DeadLetterQueue;
  /** launch message, function failure (destination record), rule delivery, schedule delivery, or unknown. */
  kind: 'launch' | 'function-failure' | 'rule-delivery' | 'schedule-delivery' | 'unknown';
  /** The error in a line (what the message says, or what is known of it). */
  error: string;
  /** The run it concerns, when the message names one (a launch message, a task event's startedBy...). */
  runId?: string;
  attempt?: number;
  /** The function a redrive of an events message invokes (its name or ARN). */
  target?: string;
  /** What a redrive sends: the launch message body, or the original event. */
  payload: unknown;
  sentAt?: string;
  receiveCount?: number;
}

const parseJson = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The run an event concerns: a run event's detail, an ECS task's startedBy (`longshore/<stage>/<run>/<n>`). */
const runOfEvent = (event: unknown): { runId?: string; attempt?: number } => {
  if (!isObject(event)) return {};
  const detail = isObject(event.detail) ? event.detail : undefined;
  const direct = str(detail?.runId) ?? str(event.runId);
  if (direct && RUN_ID_PATTERN.test(direct)) return { runId: direct };
  const startedBy = str(detail?.startedBy)?.split('/');
  if (startedBy?.[0] === 'longshore' && startedBy[2] && RUN_ID_PATTERN.test(startedBy[2])) {
    const n = Number(startedBy[3]);
    return { runId: startedBy[2], ...(Number.isInteger(n) && n > 0 ? { attempt: n } : {}) };
  }
  return {};
};

/** One line: no line breaks, at most 300 characters (a stack trace stays in the message itself). */
const oneLine = (s: string): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
};

/**
 * @example describeDeadLetter('launch', { messageId: 'm1', body: '{"v":1,"runId":"csv-ingest-...","attempt":2}' }).runId
 */
export const describeDeadLetter = (queue: DeadLetterQueue, m: RawDeadLetter): DeadLetter => {
  const body = parseJson(m.body);
  const base = {
    id: m.messageId,
    queue,
    ...(m.sentAt ? { sentAt: m.sentAt } : {}),
    ...(m.receiveCount !== undefined ? { receiveCount: m.receiveCount } : {}),
  };
  const attr = m.attributes ?? {};
  if (queue === 'launch') {
    const runId = isObject(body) ? str(body.runId) : undefined;
    const attempt = isObject(body) && typeof body.attempt === 'number' ? body.attempt : undefined;
    if (!runId || !RUN_ID_PATTERN.test(runId))
      return {
        ...base,
        kind: 'unknown',
        error: 'not a launch message (malformed body: the launcher rejected it)',
        payload: m.body,
      };
    return {
      ...base,
      kind: 'launch',
      runId,
      ...(attempt !== undefined ? { attempt } : {}),
      error: 'the launcher failed it on every receive (10): see the run, and the launcher log for its run id',
      payload: m.body,
    };
  }
  // Lambda's on-failure destination: the invocation record.
  if (isObject(body) && isObject(body.requestContext) && 'requestPayload' in body) {
    const ctx = body.requestContext;
    const response = isObject(body.responsePayload) ? body.responsePayload : undefined;
    const why = [str(response?.errorType), str(response?.errorMessage)].filter(Boolean).join(': ');
    const condition = str(ctx.condition);
    const invokes =
      typeof ctx.approximateInvokeCount === 'number' ? ` after ${ctx.approximateInvokeCount} invocations` : '';
    // The record names the version invoked (`...:function:name:$LATEST`): a redrive invokes the function itself.
    const target = str(ctx.functionArn)?.replace(/:\$LATEST$/, '');
    return {
      ...base,
      kind: 'function-failure',
      error: oneLine(
        `${why || str((body.responseContext as Record<string, unknown> | undefined)?.functionError) || 'the function failed'}${condition ? ` (${condition}${invokes})` : ''}`,
      ),
      ...runOfEvent(body.requestPayload),
      ...(target ? { target } : {}),
      payload: body.requestPayload,
    };
  }
  const code = attr.ERROR_CODE ?? attr.ErrorCode;
  const message = attr.ERROR_MESSAGE ?? attr.ErrorMessage;
  const error = oneLine([code, message].filter(Boolean).join(': ') || 'no error recorded with the message');
  const target = attr.TARGET_ARN;
  if (attr.SCHEDULE_ARN)
    return {
      ...base,
      kind: 'schedule-delivery',
      error,
      ...runOfEvent(body),
      ...(target ? { target } : {}),
      payload: body ?? m.body,
    };
  if (attr.RULE_ARN)
    return {
      ...base,
      kind: 'rule-delivery',
      error,
      ...runOfEvent(body),
      ...(target ? { target } : {}),
      payload: body ?? m.body,
    };
  return { ...base, kind: 'unknown', error, ...runOfEvent(body), payload: body ?? m.body };
};
