/**
 * Alerts on what needs a person: a run's final failure, a timeout, a missed schedule tick. Sent to
 * the service's SNS topic and, if the job's route has one, a webhook whose URL is a Secrets Manager
 * secret (read through a cache, never logged). Only final failures alert, not every attempt.
 */
import * as z from 'zod';
import type { AlertMessage } from './aws/sns.ts';
import type { AlertRoute, Catalog } from './catalog/schema.ts';
import { formatDuration } from './domain/duration.ts';
import { formatMemory } from './domain/fargateSizes.ts';
import { RUN_EVENT_SOURCE } from './domain/runEvents.ts';
import { InvalidEventError } from './errors.ts';
import { logger } from './logger.ts';
import { issueSentences } from './schemaIssues.ts';

export const ALERT_TYPES = ['Run Failed', 'Run Timed Out', 'Schedule Missed'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

const routeKind: Record<AlertType, AlertRoute['on'][number]> = {
  'Run Failed': 'FAILED',
  'Run Timed Out': 'TIMED_OUT',
  'Schedule Missed': 'MISSED_SCHEDULE',
};

export const alertEvent = z.looseObject({
  source: z.literal(RUN_EVENT_SOURCE),
  'detail-type': z.enum(ALERT_TYPES),
  detail: z.looseObject({ job: z.string(), stage: z.string() }),
});

export const parseAlertEvent = (event: unknown) => {
  const parsed = alertEvent.safeParse(event, { reportInput: true });
  if (!parsed.success) throw new InvalidEventError('run event for alerting', issueSentences(parsed.error));
  return {
    type: parsed.data['detail-type'],
    detail: parsed.data.detail as Record<string, unknown> & { job: string; stage: string },
  };
};

export interface AlertDeps {
  catalog: () => Catalog;
  /** Running on this machine (the local flow): the CLI hints then need no --stage. */
  local?: boolean;
  topic: { publish(m: AlertMessage): Promise<void> };
  secret: (nameOrArn: string) => Promise<string>;
  post: (url: string, body: unknown) => Promise<void>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** SNS subjects: ASCII, no line breaks, under 100 characters. */
const subjectLine = (s: string): string => s.replace(/[^\x20-\x7E]/g, '?').slice(0, 99);

/**
 * The alert as a person reads it: job, run, attempt n of m, trigger, exit and stop codes, diagnosis,
 * duration, what happens next, and the log link.
 *
 * @example composeAlert('Run Failed', detail).text
 */
export const composeAlert = (
  type: AlertType,
  d: Record<string, unknown>,
  opts: { local?: boolean } = {},
): AlertMessage => {
  const stage = str(d.stage) ?? '?';
  const job = str(d.job) ?? '?';
  if (type === 'Schedule Missed') {
    const lines = [
      `longshore ${stage}: a schedule tick of ${job} produced no run`,
      '',
      `Schedule:   ${str(d.expression)} (${str(d.timezone)}), ${str(d.schedule)}`,
      `Due at:     ${str(d.scheduledTime)}`,
      `Expected:   run ${str(d.expectedRunId)}`,
      'Next:       nothing runs for this tick. Check the schedule is ENABLED and the events dead-letter queue;',
      `            run it by hand with: npx longshore trigger ${job}${opts.local ? '' : ` --stage ${stage}`}`,
    ];
    return {
      subject: subjectLine(`longshore ${stage}: ${job} missed its ${str(d.scheduledTime)} tick`),
      text: lines.join('\n'),
      attributes: { stage, job, status: 'MISSED_SCHEDULE' },
    };
  }
  const runId = str(d.runId) ?? '?';
  const attempt = num(d.attempt) ?? 0;
  const status = type === 'Run Timed Out' ? 'TIMED OUT' : 'FAILED';
  const decision = (d.decision ?? {}) as { diagnosis?: string; next?: string; rule?: string };
  const exit = num(d.exitCode);
  const codes = [
    exit !== undefined ? `exit ${exit}` : 'no exit code',
    str(d.stopCode) ? `stop code ${str(d.stopCode)}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const duration = num(d.durationSeconds);
  const lines = [
    `longshore ${stage}: ${job} run ${status}`,
    '',
    `Run:        ${runId} (attempt ${attempt} of ${attempt}, the last)`,
    `Trigger:    ${str(d.triggerSummary) ?? '?'}`,
    `Result:     ${codes}`,
    `Diagnosis:  ${decision.diagnosis ?? str(d.reason) ?? 'unknown'}${decision.rule ? ` [rule ${decision.rule}]` : ''}`,
    `Size:       ${num(d.cpu) !== undefined ? `${(num(d.cpu) as number) / 1024} vCPU, ${formatMemory(num(d.memory) ?? 0)}` : '?'} on ${str(d.capacity) ?? '?'}`,
    `Duration:   ${duration !== undefined ? formatDuration(duration) : 'did not run'}`,
    `Next:       ${decision.next ?? 'nothing: the run is final'}. Retry with: npx longshore runs retry ${runId}${opts.local ? '' : ` --stage ${stage}`}`,
    `Logs:       ${str(d.logLink) ?? 'no log stream (the task did not start)'}`,
    ...(str(d.taskArn) ? [`Task:       ${str(d.taskArn)}`] : []),
  ];
  const headline = decision.diagnosis ? decision.diagnosis.split(';')[0] : codes;
  return {
    subject: subjectLine(`longshore ${stage}: ${job} ${status}: ${headline}`),
    text: lines.join('\n'),
    attributes: { stage, job, status: status.replace(' ', '_'), runId },
  };
};

export interface AlertResult {
  sent: ('sns' | 'webhook')[];
  skipped?: string;
}

/**
 * Sends one alert along the job's route.
 *
 * @example await sendAlert(deps, 'Run Failed', detail)
 */
export const sendAlert = async (
  deps: AlertDeps,
  type: AlertType,
  detail: Record<string, unknown> & { job: string },
): Promise<AlertResult> => {
  const catalog = deps.catalog();
  const job = catalog.jobs.find((j) => j.name === detail.job);
  const routeName = job ? job.alerts : 'default';
  if (routeName === false) return { sent: [], skipped: `job '${detail.job}' has alerts: false` };
  const route = catalog.alerts[routeName] ?? catalog.alerts.default;
  if (!route) return { sent: [], skipped: `no alert route '${routeName}'` };
  if (!route.on.includes(routeKind[type]))
    return { sent: [], skipped: `route '${routeName}' does not alert on ${routeKind[type]}` };
  const message = composeAlert(type, detail, { local: deps.local === true });
  const sent: AlertResult['sent'] = [];
  if (route.sns) {
    await deps.topic.publish(message);
    sent.push('sns');
  }
  if (route.webhookSecret) {
    const url = await deps.secret(route.webhookSecret);
    if (!/^https:\/\//.test(url))
      throw new Error(`The webhook secret of route '${routeName}' does not hold an https URL`);
    await deps.post(url, { text: message.text, subject: message.subject, type, ...message.attributes, detail });
    sent.push('webhook');
  }
  logger.info('Alert sent', { type, route: routeName, sent });
  return { sent };
};

/** POSTs JSON with a timeout; the URL never appears in an error or a log line. */
export const postJson = async (url: string, body: unknown): Promise<void> => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  }).catch((e: Error) => {
    throw new Error(`Webhook request failed: ${e.name}`);
  });
  if (!res.ok) throw new Error(`Webhook answered HTTP ${res.status}`);
};
