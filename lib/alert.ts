/**
 * Alerts on what needs a person: a run's final failure, a timeout, a missed schedule tick. Sent to
 * the service's SNS topic and, if the job's route has one, a webhook whose URL is a Secrets Manager
 * secret (read through a cache, never logged). Only final failures alert, not every attempt.
 *
 * Once per run and final status (invariant 7, docs/architecture.md): run events arrive at least
 * once, so each alert has a marker in the runs table, taken with a lease before sending and marked
 * per channel after each send; a duplicate event finds it and sends nothing. What this cannot make
 * exactly-once is a crash after SNS accepted the message and before the marker says so: the retry
 * sends it again (docs/decisions.md, "Alerts once per run and final status").
 */
import type { AlertRoute, Catalog, Job } from './catalog/schema.ts';
import type { AlertEvent } from './contracts/runEvents.ts';
import { logTargetOf } from './domain/attemptSummary.ts';
import { formatDuration } from './domain/duration.ts';
import { failureHeadline } from './domain/failureHeadline.ts';
import { formatCpu, formatMemory } from './domain/fargateSizes.ts';
import { EXCERPT_LINES, logExcerpt } from './domain/logExcerpt.ts';
import { logStreamName, parseTaskArn } from './domain/logLink.ts';
import { expiresAtFor } from './domain/run.ts';
import type { AlertType } from './domain/runEvents.ts';
import { logger } from './logger.ts';
import type { MetricsPort } from './metrics.ts';
import type { AlertChannel, AlertKey, AlertMessage, AlertTopicPort, RunStore, TaskLogsPort } from './ports.ts';

const routeKind: Record<AlertType, AlertRoute['on'][number]> = {
  'Run Failed': 'FAILED',
  'Run Timed Out': 'TIMED_OUT',
  'Schedule Missed': 'MISSED_SCHEDULE',
};

export interface AlertDeps {
  catalog: () => Catalog;
  /** Running on this machine (the local flow): the CLI hints then need no --stage. */
  local?: boolean;
  topic: AlertTopicPort;
  secret: (nameOrArn: string) => Promise<string>;
  /** POSTs the body; `idempotencyKey` is the same for every send of one alert (run and status). */
  post: (url: string, body: unknown, idempotencyKey: string) => Promise<void>;
  /** The alert markers (lib/aws/runStore/alertRecords.ts). */
  store: Pick<RunStore, 'claimAlert' | 'recordAlertSent'>;
  now: () => Date;
  metrics: MetricsPort;
  /**
   * The deciding container's log (CloudWatch Logs deployed, the task's log file locally): the
   * alert quotes its last lines. Without it, or when it cannot be read in `LOG_READ_MS`, the alert
   * goes without them.
   */
  logs?: Pick<TaskLogsPort, 'read'>;
}

/**
 * How long the alert waits for the log lines before it goes without them: a slow or throttled
 * CloudWatch Logs must not delay the page (the function's timeout is 30 s, its lease 45 s).
 */
export const LOG_READ_MS = 3000;

/**
 * How long an invocation holds an alert it is sending: longer than the alert function's 30 s
 * timeout (so a live holder never loses it), shorter than Lambda's first async retry (about a
 * minute, aws-facts §f), so the retry of an invocation that died finds the lease over.
 */
export const ALERT_LEASE_SECONDS = 45;

// An event detail is outside input: every field is checked before use, and a missing or malformed
// one is said in words ("the scheduled time is unknown"), never printed as "undefined" or "?".
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const int = (v: unknown, min: number): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= min ? v : undefined;
const positive = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
const nonNegative = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const httpsUrl = (v: unknown): string | undefined => {
  const s = str(v);
  return s && /^https:\/\/\S+$/.test(s) ? s : undefined;
};

/** SNS subjects must be under 100 characters with no line breaks or control characters. */
export const SUBJECT_MAX = 99;

/**
 * One ASCII line of at most 99 characters (SNS; the API reference now says UTF-8, ASCII is the
 * subset every mail client shows), cut between words with an ellipsis. Accents are dropped
 * ("é" -> "e"), other non-ASCII characters become "?", line breaks and tabs become spaces.
 */
export const subjectLine = (s: string): string => {
  const line = s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .replace(/[^\x20-\x7E]/g, '?')
    .trim();
  if (line.length <= SUBJECT_MAX) return line;
  const room = SUBJECT_MAX - 3;
  const head = line.slice(0, room + 1);
  const space = head.lastIndexOf(' ');
  // Between words, unless that would drop most of a long word (an image name): then inside it.
  const cut = space >= room - 30 ? head.slice(0, space) : line.slice(0, room);
  return `${cut.replace(/[\s,;:.(-]+$/, '')}...`;
};

const attemptPhrase = (n: number | undefined, m: number | undefined): string => {
  if (n === undefined) return 'the attempt number is unknown';
  if (m === undefined || m < n) return `attempt ${n}`;
  return n === m
    ? `attempt ${n} of ${m}, the last the retry budget allows`
    : `attempt ${n} of ${m}; not retried further (see Next)`;
};

/**
 * The alert as a person reads it: job, run, attempt n of m, trigger, the deciding container's exit
 * code and stop code, diagnosis, duration (or "did not start"), what happens next, and that
 * container's log link. Never throws, whatever the detail holds.
 *
 * @example composeAlert('Run Failed', detail).text
 */
export const composeAlert = (
  type: AlertType,
  detail: unknown,
  opts: { local?: boolean; logExcerpt?: { container: string; lines: readonly string[] } } = {},
): AlertMessage => {
  const d = record(detail);
  const stage = str(d.stage);
  const job = str(d.job);
  const source = `longshore${stage ? ` ${stage}` : ''}`;
  const stageOption = opts.local || !stage ? '' : ` --stage ${stage}`;
  const jobName = job ?? 'an unknown job';
  const attributes = { stage: stage ?? 'unknown', job: job ?? 'unknown' };
  if (type === 'Schedule Missed') {
    const due = str(d.scheduledTime);
    const expression = str(d.expression);
    const timezone = str(d.timezone);
    const expected = str(d.expectedRunId);
    const lines = [
      `${source}: a schedule tick of ${jobName} produced no run`,
      '',
      `Schedule:   ${expression ? `${expression}${timezone ? ` (${timezone})` : ''}` : 'the expression is unknown'}, ${str(d.schedule) ?? 'the schedule is unknown'}`,
      `Due at:     ${due ?? 'the scheduled time is unknown'}`,
      `Expected:   ${expected ? `run ${expected}` : 'the run id it would have had is unknown'}`,
      'Next:       nothing runs for this tick. Check the schedule is ENABLED and the events dead-letter queue;',
      job
        ? `            run it by hand with: npx longshore trigger ${job}${stageOption}`
        : `            run it by hand with: npx longshore trigger <job>${stageOption}`,
    ];
    return {
      subject: subjectLine(
        `${source}: ${jobName} ${due ? `missed its ${due} tick` : 'missed a schedule tick (the scheduled time is unknown)'}`,
      ),
      text: lines.join('\n'),
      attributes: { ...attributes, status: 'MISSED_SCHEDULE' },
    };
  }
  const runId = str(d.runId);
  const attempt = int(d.attempt, 1);
  const maxAttempts = int(d.maxAttempts, 1);
  const status = type === 'Run Timed Out' ? 'TIMED OUT' : 'FAILED';
  const decision = record(d.decision);
  const diagnosis = str(decision.diagnosis);
  const rule = str(decision.rule);
  const exit = int(d.exitCode, Number.MIN_SAFE_INTEGER);
  const container = str(d.decidingContainer);
  const stopCode = str(d.stopCode);
  const taskArn = str(d.taskArn);
  const started = bool(d.started);
  const cpu = positive(d.cpu);
  const memory = positive(d.memory);
  const duration = nonNegative(d.durationSeconds);
  const link = httpsUrl(d.logLink);
  const from = container ? ` from container '${container}'` : '';
  const stop = stopCode ? `stop code ${stopCode}` : '';
  const result =
    started === false
      ? taskArn
        ? `the task did not start${stop ? ` (${stop})` : ''}`
        : 'no task was created'
      : `${exit !== undefined ? `exit ${exit}` : 'no exit code'}${from}${stop ? `, ${stop}` : ''}`;
  const retryHint = runId
    ? `Retry with: npx longshore runs retry ${runId}${stageOption}`
    : `Find the run with: npx longshore runs list${job ? ` --job ${job}` : ''}${stageOption}`;
  const lines = [
    `${source}: ${jobName} run ${status}`,
    '',
    `Run:        ${runId ?? 'the run id is unknown'} (${attemptPhrase(attempt, maxAttempts)})`,
    `Trigger:    ${str(d.triggerSummary) ?? 'the trigger is unknown'}`,
    `Result:     ${result}`,
    `Diagnosis:  ${diagnosis ?? str(d.reason) ?? 'no diagnosis was recorded'}${rule ? ` [rule ${rule}]` : ''}`,
    `Size:       ${cpu && memory ? `${formatCpu(cpu)}, ${formatMemory(memory)}` : 'the size is unknown'} on ${str(d.capacity) ?? 'unknown capacity'}`,
    `Duration:   ${started === false ? 'did not start' : duration !== undefined ? formatDuration(duration) : 'not recorded'}`,
    `Next:       ${str(decision.next) ?? 'nothing: the run is final'}. ${retryHint}`,
    `Logs:       ${started === false ? 'none: the task did not start, so it has no log stream' : link ? `${container ? `container '${container}': ` : ''}${link}` : 'no log link was recorded'}`,
    ...(taskArn ? [`Task:       ${taskArn}`] : []),
    ...(opts.logExcerpt && opts.logExcerpt.lines.length > 0
      ? [
          '',
          `Last ${opts.logExcerpt.lines.length} log line${opts.logExcerpt.lines.length === 1 ? '' : 's'} of container '${opts.logExcerpt.container}':`,
          ...opts.logExcerpt.lines.map((l) => `  | ${l}`),
        ]
      : []),
  ];
  const headline =
    failureHeadline({
      ...(diagnosis ? { diagnosis } : {}),
      reasons: [d.containerReason, d.stoppedReason, d.reason].map(str).filter((r): r is string => r !== undefined),
      ...(exit !== undefined ? { exitCode: exit } : {}),
      ...(container ? { container } : {}),
      ...(memory ? { memory } : {}),
    }) ??
    (exit !== undefined ? `exit ${exit}${from}` : started === false ? 'the task did not start' : undefined) ??
    'no diagnosis was recorded';
  return {
    subject: subjectLine(`${source}: ${jobName} ${status}: ${headline}`),
    text: lines.join('\n'),
    attributes: { ...attributes, status: status.replace(' ', '_'), ...(runId ? { runId } : {}) },
  };
};

export interface AlertResult {
  sent: AlertChannel[];
  skipped?: string;
}

/** What an alert event is about, for its marker, and when the marker expires (with the run). */
const alertKeyOf = (event: AlertEvent): { key: AlertKey; expiresAt: number } =>
  event.type === 'Schedule Missed'
    ? {
        key: { runId: event.detail.expectedRunId, what: 'MISSED' },
        expiresAt: expiresAtFor(new Date(event.detail.scheduledTime)),
      }
    : {
        key: { runId: event.detail.runId, what: event.type === 'Run Timed Out' ? 'TIMED_OUT' : 'FAILED' },
        expiresAt: expiresAtFor(new Date(event.detail.createdAt)),
      };

/** One alert's identity, the same on every send of it: `<runId>:<FAILED|TIMED_OUT|MISSED>`. */
export const alertIdOf = (key: AlertKey): string => `${key.runId}:${key.what}`;

/**
 * The last lines of the deciding container's log (`logExcerpt`: 20 lines, each at most 1 KB, the
 * whole at most 8 KB, well inside SNS's 256 KB and a chat webhook's limits), when the task started
 * and its container and task are known. Any failure, or no answer in `LOG_READ_MS`, gives none and
 * is logged (once: this runs once per alert sent): the alert goes without them.
 */
const decidingLogExcerpt = async (
  deps: AlertDeps,
  job: Job | undefined,
  detail: Record<string, unknown>,
): Promise<{ container: string; lines: string[] } | undefined> => {
  const container = str(detail.decidingContainer);
  const taskId = parseTaskArn(str(detail.taskArn) ?? '')?.taskId;
  const stage = str(detail.stage);
  if (!deps.logs || !job || !container || !taskId || !stage || detail.started !== true) return undefined;
  const target = logTargetOf(stage, job);
  const ref = { group: target.group, stream: logStreamName(target.streamPrefix, container, taskId) };
  let timer: NodeJS.Timeout | undefined;
  try {
    const read = deps.logs.read(ref, { tail: EXCERPT_LINES });
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${LOG_READ_MS} ms`)), LOG_READ_MS);
    });
    const { lines } = await Promise.race([read, late]);
    return { container, lines: logExcerpt(lines.map((l) => l.message)) };
  } catch (e) {
    logger.warn('Alert goes without its log lines: the log could not be read', {
      logGroup: ref.group,
      logStream: ref.stream,
      error: (e as Error).name === 'Error' ? (e as Error).message : (e as Error).name,
    });
    return undefined;
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Sends one alert along the job's route, once: `holder` (the invocation's request id) takes the
 * alert's marker first; a marker that says sent (a duplicate event) or that another invocation
 * holds (a concurrent duplicate: its own retry finishes it) sends nothing.
 *
 * @example await sendAlert(deps, parseAlertEvent(event), context.awsRequestId)
 */
export const sendAlert = async (deps: AlertDeps, event: AlertEvent, holder: string): Promise<AlertResult> => {
  const { type, detail } = event;
  const catalog = deps.catalog();
  const job = catalog.jobs.find((j) => j.name === detail.job);
  const routeName = job ? job.alerts : 'default';
  if (routeName === false) return { sent: [], skipped: `job '${detail.job}' has alerts: false` };
  // Fan-out (issue 14): a child's failure may be tolerated; its parent's Run Failed is the alert.
  if (typeof detail.parentRunId === 'string')
    return { sent: [], skipped: `a fan-out child: its parent ${detail.parentRunId} alerts if it fails` };
  const route = catalog.alerts[routeName] ?? catalog.alerts.default;
  if (!route) return { sent: [], skipped: `no alert route '${routeName}'` };
  if (!route.on.includes(routeKind[type]))
    return { sent: [], skipped: `route '${routeName}' does not alert on ${routeKind[type]}` };
  const channels: AlertChannel[] = [
    ...(route.sns ? ['sns' as const] : []),
    ...(route.webhookSecret ? ['webhook' as const] : []),
  ];
  if (channels.length === 0) return { sent: [], skipped: `route '${routeName}' has no channel` };
  const { key, expiresAt } = alertKeyOf(event);
  const claim = await deps.store.claimAlert(key, holder, deps.now(), ALERT_LEASE_SECONDS, expiresAt);
  if (!claim.claimed) {
    const skipped =
      claim.why === 'sent'
        ? 'sent already (a duplicate event)'
        : 'another invocation is sending it (its retry finishes it)';
    logger.info(`Alert ${skipped}`, { type, runId: key.runId, alert: key.what });
    return { sent: [], skipped };
  }
  const excerpt = type === 'Schedule Missed' ? undefined : await decidingLogExcerpt(deps, job, detail);
  const message = composeAlert(type, detail, {
    local: deps.local === true,
    ...(excerpt ? { logExcerpt: excerpt } : {}),
  });
  const todo = channels.filter((c) => !claim.sent.includes(c));
  const sent: AlertChannel[] = [];
  for (const [i, channel] of todo.entries()) {
    if (channel === 'sns') await deps.topic.publish(message);
    else {
      const url = await deps.secret(route.webhookSecret as string);
      if (!/^https:\/\//.test(url))
        throw new Error(`The webhook secret of route '${routeName}' does not hold an https URL`);
      // A retry after a crash between the post and its mark sends it again (docs/decisions.md):
      // the same alertId lets the receiver drop the second copy.
      const alertId = alertIdOf(key);
      await deps.post(
        url,
        { alertId, text: message.text, subject: message.subject, type, ...message.attributes, detail },
        alertId,
      );
    }
    sent.push(channel);
    await deps.store.recordAlertSent(key, holder, channel, i === todo.length - 1);
  }
  // Every channel went out before a crash: only the marker was left to close.
  if (todo.length === 0) await deps.store.recordAlertSent(key, holder, undefined, true);
  logger.info('Alert sent', { type, route: routeName, sent, ...(claim.sent.length ? { sentBefore: claim.sent } : {}) });
  return { sent };
};

/** POSTs JSON with a timeout; the URL never appears in an error or a log line. */
export const postJson = async (url: string, body: unknown, idempotencyKey: string): Promise<void> => {
  const res = await fetch(url, {
    method: 'POST',
    // The header many receivers already dedupe on (IETF draft "The Idempotency-Key HTTP Header Field").
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  }).catch((e: Error) => {
    throw new Error(`Webhook request failed: ${e.name}`);
  });
  if (!res.ok) throw new Error(`Webhook answered HTTP ${res.status}`);
};
