import { clearCaches } from '@aws-lambda-powertools/parameters';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildHandler } from '../../../functions/alert/handler.ts';
import { type AlertDeps, composeAlert, LOG_READ_MS, postJson, sendAlert } from '../../../lib/alert.ts';
import { buildTaskLogs } from '../../../lib/aws/logs.ts';
import { readSecretString } from '../../../lib/aws/secrets.ts';
import type { Job } from '../../../lib/catalog/schema.ts';
import { validateCatalog } from '../../../lib/catalog/validate.ts';
import { parseTaskStateChange } from '../../../lib/contracts/ecs.ts';
import { containerResults, factsFromTaskDetail } from '../../../lib/domain/attemptFacts.ts';
import { logLink } from '../../../lib/domain/logLink.ts';
import { logGroupName } from '../../../lib/domain/names.ts';
import { newRun } from '../../../lib/domain/newRun.ts';
import { decide } from '../../../lib/domain/policy.ts';
import type { Attempt, RetryCounts, Run } from '../../../lib/domain/run.ts';
import { runEvent } from '../../../lib/domain/runEvents.ts';
import { logger } from '../../../lib/logger.ts';
import type { AlertMessage } from '../../../lib/ports.ts';
import { baseCatalog, baseJob, exampleCatalog } from '../../helpers/catalogs.ts';
import { loadEvent } from '../../helpers/events.ts';
import { fakeMetrics, memoryAlertStore } from '../../helpers/fakes.ts';
import { exampleJob } from '../../helpers/items.ts';
import { lambdaContext } from '../../helpers/lambda.ts';
import { captureLogs } from '../../helpers/logs.ts';

const secrets = mockClient(SecretsManagerClient);
const ctx = lambdaContext('longshore-test-alert');
const WEBHOOK = 'https://hooks.example.com/services/T000/B000/very-secret-token';

const failed = {
  stage: 'dev',
  runId: 'csv-ingest-ka7nq3xv2mwe5rtb4yhc',
  createdAt: '2026-11-22T08:40:00.000Z',
  job: 'csv-ingest',
  status: 'FAILED',
  attempt: 3,
  triggerSummary: 's3://acme-partner-drop/incoming/globex/2026-11-21.csv (version 3HL4kqtJ)',
  capacity: 'FARGATE',
  cpu: 1024,
  memory: 8192,
  exitCode: 137,
  stopCode: 'EssentialContainerExited',
  decision: {
    action: 'fail',
    rule: 'out-of-memory',
    diagnosis: "exit 137: container 'main' used more than its 8 GB and was killed (OutOfMemoryError)",
    next: 'giving up: 8 GB is already the most this job may use (policy.maxMemory 8 GB)',
  },
  durationSeconds: 756,
  logLink: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/x',
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/longshore-dev/c3e5a7b9',
};
const event = (type: string, detail: Record<string, unknown>) => ({
  version: '0',
  source: 'longshore',
  'detail-type': type,
  detail,
});

beforeEach(() => {
  secrets.reset();
});
afterEach(() => {
  clearCaches();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** A job with an essential sidecar, whose exit decides as much as main's. */
const sidecarJob: Job = validateCatalog(
  baseCatalog([
    baseJob({ name: 'thumbs', sidecars: [{ name: 'side', image: 'public.ecr.aws/acme/side:1.0.0', essential: true }] }),
  ]),
).jobs[0] as Job;

type TaskDetailJson = Record<string, unknown> & { containers: Record<string, unknown>[] };

/**
 * The final run event the flow publishes for a task event from events/: the attempt as the tracker
 * recorded it before what-decided was fixed (main's log stream, a duration from creation for a
 * task that never started), the policy's decision on it, the run final.
 */
const finalDetail = (
  job: Job,
  file: string,
  opts: { attempt?: number; retries?: RetryCounts; tweak?: (d: TaskDetailJson) => void } = {},
): Record<string, unknown> => {
  const e = loadEvent<{ detail: TaskDetailJson }>(file);
  opts.tweak?.(e.detail);
  const d = parseTaskStateChange(e);
  const created = newRun(
    { job, trigger: { type: 'manual', token: 'alert-test', requestedBy: 'alice' } },
    new Date('2026-11-22T09:00:00.000Z'),
  );
  const run: Run = {
    ...created,
    status: 'RUNNING',
    attempt: opts.attempt ?? 1,
    retries: opts.retries ?? created.retries,
    capacity: d.capacityProviderName ?? created.capacity,
    size: { cpu: Number(d.cpu), memory: Number(d.memory) },
    taskArn: d.taskArn,
  };
  const verdict = decide(job, run, factsFromTaskDetail(job, d));
  if (verdict.outcome !== 'fail') throw new Error(`${file} does not fail the run (${verdict.rule})`);
  const attempt: Attempt = {
    runId: run.runId,
    attempt: run.attempt,
    status: 'STOPPED',
    launchRequestedAt: '2026-11-22T09:15:00.000Z',
    launchTries: 1,
    capacityProvider: run.capacity,
    cpu: run.size.cpu,
    memory: run.size.memory,
    taskArn: d.taskArn,
    taskCreatedAt: d.createdAt,
    startedAt: d.startedAt,
    stoppedAt: d.stoppedAt,
    stopCode: d.stopCode,
    stoppedReason: d.stoppedReason,
    containers: containerResults(job, d.containers),
    decision: { action: verdict.action, rule: verdict.rule, diagnosis: verdict.diagnosis, next: verdict.next },
    logLink: logLink(d.taskArn, logGroupName('dev', job), job.container.logs.streamPrefix, 'main'),
    durationSeconds: Math.round((Date.parse(d.stoppedAt ?? '') - Date.parse(d.startedAt ?? d.createdAt ?? '')) / 1000),
  };
  const final: Run = { ...run, status: verdict.finalStatus, reason: verdict.diagnosis, finishedAt: d.stoppedAt };
  const type = verdict.finalStatus === 'TIMED_OUT' ? 'Run Timed Out' : 'Run Failed';
  return runEvent(type, 'dev', final, attempt, job).detail;
};

const lineOf = (text: string, label: string): string | undefined =>
  text.split('\n').find((l) => l.startsWith(`${label}:`));

const TASK_ID = 'f7a9b1c3d5e7468024680ace13579bdf';

describe('Function: composeAlert (final run events from real task events)', () => {
  it('says what on-call needs: job, run, attempt, trigger, codes, diagnosis, duration, next step, log link', () => {
    // Prepare
    const detail = finalDetail(exampleJob('nightly-report'), 'ecs-task-stopped-app-failure', {
      attempt: 2,
      retries: { app: 1, infra: 0, rules: {} },
    });
    const runId = String(detail.runId);

    // Act
    const m = composeAlert('Run Failed', detail);

    // Assess
    expect(m.subject).toBe("longshore dev: nightly-report FAILED: exit 2: container 'main' failed");
    expect(m.text).toBe(
      [
        'longshore dev: nightly-report run FAILED',
        '',
        `Run:        ${runId} (attempt 2 of 2, the last the retry budget allows)`,
        'Trigger:    manual by alice',
        "Result:     exit 2 from container 'main', stop code EssentialContainerExited",
        "Diagnosis:  exit 2: container 'main' failed [rule application-error]",
        'Size:       1 vCPU, 4 GB on FARGATE',
        'Duration:   12m36s',
        `Next:       giving up: no retries left (1 of 1 used; policy.retries is 1). Retry with: npx longshore runs retry ${runId} --stage dev`,
        `Logs:       container 'main': https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Flongshore$252Fdev$252Fnightly-report/log-events/report$252Fmain$252F${TASK_ID}`,
        `Task:       arn:aws:ecs:eu-west-1:123456789012:task/longshore-dev/${TASK_ID}`,
      ].join('\n'),
    );
    expect(m.attributes).toEqual({ stage: 'dev', job: 'nightly-report', status: 'FAILED', runId });
  });

  it('shows the exit code and log stream of the essential sidecar that decided, not those of main', () => {
    // Prepare
    const detail = finalDetail(sidecarJob, 'ecs-task-stopped-app-failure', {
      attempt: 3,
      retries: { app: 2, infra: 0, rules: {} },
      tweak: (d) => {
        d.containers = [
          { ...d.containers[0], name: 'main', exitCode: 0 },
          { ...d.containers[1], name: 'side', exitCode: 1 },
        ];
      },
    });

    // Act
    const m = composeAlert('Run Failed', detail);

    // Assess
    expect(detail).toMatchObject({ decidingContainer: 'side', exitCode: 1, started: true, maxAttempts: 3 });
    expect(lineOf(m.text, 'Result')).toBe(
      "Result:     exit 1 from container 'side', stop code EssentialContainerExited",
    );
    expect(lineOf(m.text, 'Diagnosis')).toBe("Diagnosis:  exit 1: container 'side' failed [rule application-error]");
    expect(lineOf(m.text, 'Logs')).toMatch(
      /^Logs: {7}container 'side': https:\/\/.*log-events\/longshore\$252Fside\$252F/,
    );
    expect(m.text).not.toContain('exit 0');
    expect(m.subject).toBe("longshore dev: thumbs FAILED: exit 1: container 'side' failed");
  });

  it('says a task whose image could not be pulled did not start: no duration, no log link, the image in the subject', () => {
    // Prepare
    const detail = finalDetail(exampleJob('csv-ingest'), 'ecs-task-stopped-pull-failure');

    // Act
    const m = composeAlert('Run Failed', detail);

    // Assess
    expect(detail).toMatchObject({ started: false, decidingContainer: 'main', maxAttempts: 4 });
    expect(detail).not.toHaveProperty('durationSeconds');
    expect(detail).not.toHaveProperty('logLink');
    expect(m.subject).toBe('longshore dev: csv-ingest FAILED: image data/ingest:1.12.0 not found');
    expect(lineOf(m.text, 'Run')).toMatch(/\(attempt 1 of 4; not retried further \(see Next\)\)$/);
    expect(lineOf(m.text, 'Result')).toBe('Result:     the task did not start (stop code TaskFailedToStart)');
    expect(lineOf(m.text, 'Duration')).toBe('Duration:   did not start');
    expect(lineOf(m.text, 'Logs')).toBe('Logs:       none: the task did not start, so it has no log stream');
    expect(m.text).not.toContain('cloudwatch');
  });

  it('names the secret a task could not read, and says the task did not start', () => {
    // Prepare
    const detail = finalDetail(exampleJob('nightly-report'), 'ecs-task-stopped-secrets-failure');

    // Act
    const m = composeAlert('Run Failed', detail);

    // Assess
    expect(m.subject).toBe(
      'longshore dev: nightly-report FAILED: cannot read secret finance/smtp-Qx7YtZ (access denied)',
    );
    expect(lineOf(m.text, 'Duration')).toBe('Duration:   did not start');
    expect(lineOf(m.text, 'Logs')).toBe('Logs:       none: the task did not start, so it has no log stream');
  });

  it('counts the attempts of an OOM retried bigger until the memory cap: attempt 3 of 6 (3 application retries unused)', () => {
    // Prepare
    const detail = finalDetail(exampleJob('csv-ingest'), 'ecs-task-stopped-oom', {
      attempt: 3,
      tweak: (d) => {
        d.memory = '8192';
      },
    });

    // Act
    const m = composeAlert('Run Failed', detail);

    // Assess
    expect(detail).toMatchObject({ attempt: 3, maxAttempts: 6, exitCode: 137, decidingContainer: 'main' });
    expect(lineOf(m.text, 'Run')).toMatch(/\(attempt 3 of 6; not retried further \(see Next\)\)$/);
    expect(lineOf(m.text, 'Next')).toMatch(/^Next: {7}giving up: 8 GB is already the most this job may use/);
    expect(m.subject).toBe("longshore dev: csv-ingest FAILED: container 'main' ran out of memory at 8 GB (exit 137)");
  });

  it('says TIMED OUT with how long it ran when the sweeper stopped it', () => {
    // Prepare
    const detail = finalDetail(exampleJob('nightly-report'), 'ecs-task-stopped-timeout');

    // Act
    const m = composeAlert('Run Timed Out', detail);

    // Assess
    expect(m.subject).toBe('longshore dev: nightly-report TIMED OUT: timed out after 2h (limit 2h)');
    expect(lineOf(m.text, 'Duration')).toBe('Duration:   2h1m3s');
    expect(m.attributes.status).toBe('TIMED_OUT');
  });

  it('renders the sample alert events of events/ without a missing word', () => {
    // Prepare
    const failed = loadEvent<{ detail: Record<string, unknown> }>('run-failed').detail;
    const missed = loadEvent<{ detail: Record<string, unknown> }>('schedule-missed').detail;

    // Act
    const f = composeAlert('Run Failed', failed);
    const s = composeAlert('Schedule Missed', missed);

    // Assess
    expect(lineOf(f.text, 'Run')).toBe(
      'Run:        csv-ingest-ka7nq3xv2mwe5rtb4yhc (attempt 3 of 6; not retried further (see Next))',
    );
    expect(f.subject).toBe("longshore dev: csv-ingest FAILED: container 'main' ran out of memory at 8 GB (exit 137)");
    expect(s.subject).toBe('longshore dev: nightly-report missed its 2026-11-22T01:00:00.000Z tick');
    // (A cron expression has its own "?": the check for a lone "?" is in the untrusted-input table.)
    for (const m of [f, s]) expect(`${m.subject}\n${m.text}`).not.toMatch(/undefined|NaN|null|\[object/);
  });
});

const BAD_WORDS = /undefined|NaN|null|\[object|Infinity|(^|\s)\?(\s|$)/m;

describe('Function: composeAlert (input it cannot trust)', () => {
  it.each<[string, unknown]>([
    ['a detail with only job and stage', { stage: 'dev', job: 'csv-ingest' }],
    ['a diagnosis that is not text', { stage: 'dev', job: 'x', decision: { diagnosis: 42, next: ['a'] } }],
    ['a decision that is not an object', { stage: 'dev', job: 'x', decision: 'boom' }],
    ['a null decision', { stage: 'dev', job: 'x', decision: null }],
    [
      'numbers that are not numbers',
      { stage: 'dev', job: 'x', attempt: 'two', maxAttempts: -1, exitCode: 1.5, cpu: 'x', memory: Number.NaN },
    ],
    ['a duration that is not finite', { stage: 'dev', job: 'x', durationSeconds: Number.POSITIVE_INFINITY }],
    ['a log link that is not a URL', { stage: 'dev', job: 'x', logLink: 'javascript:alert(1)' }],
    ['no detail at all', null],
    ['a detail that is a string', 'Run Failed'],
    ['a detail that is an array', [1, 2]],
  ])('never throws and never prints a missing word for %s', (_what, detail) => {
    // Act
    const failed = composeAlert('Run Failed', detail);
    const missed = composeAlert('Schedule Missed', detail);

    // Assess
    for (const m of [failed, missed]) {
      expect(m.subject.length).toBeLessThan(100);
      expect(`${m.subject}\n${m.text}`).not.toMatch(BAD_WORDS);
      for (const v of Object.values(m.attributes)) expect(v).not.toBe('');
    }
  });

  it('says what it does not know in words: the scheduled time, the expression, the expected run', () => {
    // Act
    const m = composeAlert('Schedule Missed', { stage: 'dev', job: 'nightly-report' });

    // Assess
    expect(m.subject).toBe('longshore dev: nightly-report missed a schedule tick (the scheduled time is unknown)');
    expect(lineOf(m.text, 'Due at')).toBe('Due at:     the scheduled time is unknown');
    expect(lineOf(m.text, 'Schedule')).toBe('Schedule:   the expression is unknown, the schedule is unknown');
    expect(lineOf(m.text, 'Expected')).toBe('Expected:   the run id it would have had is unknown');
  });

  it('says a failed run without a decision has no diagnosis, and how to find the run without its id', () => {
    // Act
    const m = composeAlert('Run Failed', { stage: 'dev', job: 'csv-ingest' });

    // Assess
    expect(m.subject).toBe('longshore dev: csv-ingest FAILED: no diagnosis was recorded');
    expect(lineOf(m.text, 'Run')).toBe('Run:        the run id is unknown (the attempt number is unknown)');
    expect(lineOf(m.text, 'Diagnosis')).toBe('Diagnosis:  no diagnosis was recorded');
    expect(lineOf(m.text, 'Next')).toBe(
      'Next:       nothing: the run is final. Find the run with: npx longshore runs list --job csv-ingest --stage dev',
    );
    expect(m.attributes).toEqual({ stage: 'dev', job: 'csv-ingest', status: 'FAILED' });
  });
});

describe('Function: composeAlert (the subject)', () => {
  it.each([
    [
      'a long diagnosis',
      `the task stopped without an exit code (InfrastructureHealth): ${'host degraded '.repeat(12)}`,
    ],
    ['non-ASCII text', `ünïcödé ${'x'.repeat(200)}`],
    ['line breaks', 'first line\nsecond line\r\nthird\tline'],
    ['one unbroken word', 'y'.repeat(300)],
  ])('is ASCII, one line, under 100 characters, cut at a word with an ellipsis, for %s', (_what, diagnosis) => {
    // Act
    const m = composeAlert('Run Timed Out', { stage: 'dev', job: 'csv-ingest', decision: { diagnosis } });

    // Assess
    expect(m.subject.length).toBeLessThanOrEqual(99);
    expect(m.subject).toMatch(/^[\x20-\x7E]+$/);
    expect(m.subject.startsWith('longshore dev: csv-ingest TIMED OUT: ')).toBe(true);
    if (diagnosis.length > 60) expect(m.subject.endsWith('...')).toBe(true);
  });

  it('cuts a long subject between words, never inside one', () => {
    // Act
    const m = composeAlert('Run Failed', {
      stage: 'dev',
      job: 'csv-ingest',
      decision: { diagnosis: `the task stopped without an exit code: ${'alpha beta gamma delta '.repeat(6)}` },
    });

    // Assess
    expect(m.subject).toBe(
      'longshore dev: csv-ingest FAILED: the task stopped without an exit code: alpha beta gamma delta...',
    );
  });

  it('spells accented letters without their accents', () => {
    // Act
    const m = composeAlert('Run Failed', { stage: 'dev', job: 'j', decision: { diagnosis: 'café déjà vu' } });

    // Assess
    expect(m.subject).toBe('longshore dev: j FAILED: cafe deja vu');
  });

  it('keeps the image name when the pull failure reason is long (short cause before long detail)', () => {
    // Prepare
    const detail = finalDetail(exampleJob('csv-ingest'), 'ecs-task-stopped-pull-failure', {
      tweak: (d) => {
        d.stoppedReason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/data/a-very-long-repository-name-for-the-ingest-service:1.12.0-rc.3: ${'x'.repeat(300)}: not found`;
      },
    });

    // Act
    const m = composeAlert('Run Failed', detail);

    // Assess
    expect(m.subject).toMatch(
      /^longshore dev: csv-ingest FAILED: image data\/a-very-long-repository-name-for-the-ingest-/,
    );
    expect(m.subject.length).toBeLessThanOrEqual(99);
  });
});

const recordingTopic = () => {
  const published: AlertMessage[] = [];
  return {
    published,
    publish: async (m: AlertMessage) => {
      published.push(m);
    },
  };
};

/** The alert function's deps over fakes, with the real webhook parts (Secrets Manager and fetch) unless given. */
const alertDeps = (topic = recordingTopic(), extra: Partial<AlertDeps> = {}): AlertDeps => ({
  catalog: exampleCatalog,
  topic,
  secret: readSecretString,
  post: postJson,
  store: memoryAlertStore(),
  now: () => new Date(),
  metrics: fakeMetrics(),
  ...extra,
});
const runFailed = (detail: typeof failed & { job: string }, type: 'Run Failed' | 'Run Timed Out' = 'Run Failed') =>
  ({ type, detail }) as const;

describe('Handler: alert', () => {
  it('publishes a final failure to the alert topic with filterable attributes', async () => {
    // Prepare
    const topic = recordingTopic();

    // Act
    const out = await buildHandler(alertDeps(topic))(event('Run Failed', failed), ctx);

    // Assess
    expect(out).toEqual({ sent: ['sns'] });
    expect(topic.published[0]?.attributes).toMatchObject({ job: 'csv-ingest', status: 'FAILED' });
  });

  it('rejects an event that is not an alerting run event', async () => {
    // Prepare
    const topic = recordingTopic();

    // Act & Assess
    await expect(buildHandler(alertDeps(topic))(event('Run Succeeded', failed), ctx)).rejects.toThrow(
      'detail-type: must be "Run Failed", "Run Timed Out" or "Schedule Missed"',
    );
    expect(topic.published).toHaveLength(0);
  });
});

describe('Function: sendAlert', () => {
  it('posts to the route webhook read from Secrets Manager once per 5 minutes, and never logs the URL', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
    const fetchMock = vi.fn(async () => new Response('ok', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    logger.setLogLevel('DEBUG');
    const deps = alertDeps();

    // Act
    const a = await sendAlert(deps, runFailed({ ...failed, job: 'nightly-report' }), 'req-1');
    await sendAlert(deps, runFailed({ ...failed, job: 'nightly-report' }, 'Run Timed Out'), 'req-2');
    logger.setLogLevel('SILENT');

    // Assess
    expect(a).toEqual({ sent: ['sns', 'webhook'] });
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'longshore/reporting-webhook' });
    expect(fetchMock).toHaveBeenCalledTimes(2);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe(WEBHOOK);
    expect(JSON.parse(String(init.body))).toMatchObject({
      alertId: `${failed.runId}:FAILED`,
      type: 'Run Failed',
      job: 'nightly-report',
      text: expect.stringContaining('nightly-report run FAILED'),
    });
    // The key a receiver dedupes a resend on: the same for every send of this alert, another per status.
    expect(new Headers(init.headers).get('idempotency-key')).toBe(`${failed.runId}:FAILED`);
    const [, timedOut] = fetchMock.mock.calls[1] as unknown as [string, RequestInit];
    expect(new Headers(timedOut.headers).get('idempotency-key')).toBe(`${failed.runId}:TIMED_OUT`);
    expect(lines.join('')).not.toContain('very-secret-token');
  });

  it('fails without the URL in the error when the webhook refuses', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: WEBHOOK });
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('no', { status: 500 })),
    );

    // Act & Assess
    await expect(sendAlert(alertDeps(), runFailed({ ...failed, job: 'nightly-report' }), 'req-1')).rejects.toThrow(
      'Webhook answered HTTP 500',
    );
  });

  it('alerts on a missed schedule tick with what to check', async () => {
    // Prepare
    const topic = recordingTopic();

    // Act
    await sendAlert(
      alertDeps(topic),
      {
        type: 'Schedule Missed',
        detail: {
          stage: 'dev',
          job: 'nightly-report',
          schedule: 'arn:aws:scheduler:eu-west-1:1:schedule/longshore-dev/longshore-dev-nightly-report-cron0',
          expression: 'cron(0 2 * * ? *)',
          timezone: 'Europe/Paris',
          scheduledTime: '2026-11-21T01:00:00.000Z',
          expectedRunId: 'nightly-report-aaaaaaaaaaaaaaaaaaaa',
        },
      },
      'req-1',
    ).catch(() => undefined);

    // Assess
    const input = topic.published[0];
    expect(input?.subject).toBe('longshore dev: nightly-report missed its 2026-11-21T01:00:00.000Z tick');
    expect(input?.text).toContain('Due at:     2026-11-21T01:00:00.000Z');
  });
});

describe('Function: sendAlert (once per run and final status)', () => {
  it('sends nothing for a second delivery of the same run event', async () => {
    // Prepare
    const topic = recordingTopic();
    const deps = alertDeps(topic);

    // Act
    const first = await sendAlert(deps, runFailed(failed), 'req-1');
    const again = await sendAlert(deps, runFailed(failed), 'req-2');

    // Assess
    expect(first).toEqual({ sent: ['sns'] });
    expect(again).toEqual({ sent: [], skipped: 'sent already (a duplicate event)' });
    expect(topic.published).toHaveLength(1);
  });

  it('sends nothing while another invocation holds the alert, and sends it once that lease has run out', async () => {
    // Prepare
    const topic = recordingTopic();
    const store = memoryAlertStore();
    let now = new Date('2026-11-22T09:00:00.000Z');
    const deps = alertDeps(topic, { store, now: () => now });
    await store.claimAlert({ runId: failed.runId, what: 'FAILED' }, 'died', now, 45, 1);

    // Act
    const during = await sendAlert(deps, runFailed(failed), 'req-2');
    now = new Date(now.getTime() + 46_000);
    const after = await sendAlert(deps, runFailed(failed), 'req-3');

    // Assess
    expect(during).toEqual({ sent: [], skipped: 'another invocation is sending it (its retry finishes it)' });
    expect(after).toEqual({ sent: ['sns'] });
    expect(topic.published).toHaveLength(1);
  });

  it('sends only the webhook on the retry of an invocation that died after SNS took the alert', async () => {
    // Prepare
    const topic = recordingTopic();
    const posts: unknown[] = [];
    const store = memoryAlertStore();
    const deps = alertDeps(topic, {
      store,
      secret: async () => WEBHOOK,
      post: async (_url, body) => {
        if (posts.length === 0) {
          posts.push('died');
          throw new Error('Lambda died');
        }
        posts.push(body);
      },
    });
    const detail = { ...failed, job: 'nightly-report' };

    // Act
    await expect(sendAlert(deps, runFailed(detail), 'req-1')).rejects.toThrow('Lambda died');
    const retry = await sendAlert(deps, runFailed(detail), 'req-1');

    // Assess
    expect(retry).toEqual({ sent: ['webhook'] });
    expect(topic.published).toHaveLength(1);
    expect(posts).toHaveLength(2);
    expect(store.markers.get(`${failed.runId}#FAILED`)).toMatchObject({ status: 'sent', sent: ['sns', 'webhook'] });
  });

  it('keys a timeout and a failure of the same run apart, and a missed tick by the run it would have had', async () => {
    // Prepare
    const store = memoryAlertStore();
    const deps = alertDeps(recordingTopic(), { store, secret: async () => WEBHOOK, post: async () => undefined });

    // Act
    await sendAlert(deps, runFailed(failed, 'Run Timed Out'), 'req-1');
    await sendAlert(
      deps,
      {
        type: 'Schedule Missed',
        detail: {
          stage: 'dev',
          job: 'nightly-report',
          scheduledTime: '2026-11-21T01:00:00.000Z',
          expectedRunId: 'nightly-report-aaaaaaaaaaaaaaaaaaaa',
        },
      },
      'req-2',
    );

    // Assess
    expect([...store.markers.keys()].sort()).toEqual([
      'csv-ingest-ka7nq3xv2mwe5rtb4yhc#TIMED_OUT',
      'nightly-report-aaaaaaaaaaaaaaaaaaaa#MISSED',
    ]);
  });
});

describe('Handler: alert (what an alert event must carry)', () => {
  it.each([
    ['a run alert without runId', { ...failed, runId: undefined }, 'detail.runId: is required (string)'],
    ['a run alert whose runId is not a run id', { ...failed, runId: 'x/../y' }, 'detail.runId: not a longshore run id'],
    [
      'a run alert whose createdAt is not ISO 8601',
      { ...failed, createdAt: 'yesterday' },
      'detail.createdAt: must be an ISO 8601 time',
    ],
  ])('refuses %s, naming the field', async (_what, detail, message) => {
    // Prepare
    const topic = recordingTopic();

    // Act & Assess
    await expect(buildHandler(alertDeps(topic))(event('Run Failed', detail), ctx)).rejects.toThrow(message);
    expect(topic.published).toHaveLength(0);
  });
});

describe("Function: sendAlert (the deciding container's last log lines)", () => {
  const cwl = mockClient(CloudWatchLogsClient);
  const ranAndFailed = { ...failed, started: true, decidingContainer: 'main' };
  const csvIngest = exampleCatalog().jobs.find((j) => j.name === 'csv-ingest') as Job;
  beforeEach(() => cwl.reset());
  afterAll(() => cwl.restore());

  it('quotes the last 20 lines of the stream of the container that decided, each cut at 1 KB', async () => {
    // Prepare
    const messages = Array.from({ length: 24 }, (_, i) => `line ${i + 1}`);
    messages[22] = `big ${'x'.repeat(3000)}`;
    cwl
      .on(GetLogEventsCommand)
      .resolves({ events: messages.map((message, i) => ({ message, timestamp: i })).slice(-20) });
    const topic = recordingTopic();
    const deps = alertDeps(topic, { logs: buildTaskLogs(new CloudWatchLogsClient({ region: 'eu-west-1' })) });

    // Act
    await sendAlert(deps, runFailed(ranAndFailed), 'req-1');

    // Assess
    expect(cwl.commandCalls(GetLogEventsCommand)[0]?.args[0].input).toEqual({
      logGroupName: logGroupName('dev', csvIngest),
      logStreamName: `${csvIngest.container.logs.streamPrefix}/main/c3e5a7b9`,
      startFromHead: false,
      limit: 20,
    });
    const text = topic.published[0]?.text ?? '';
    expect(text).toContain("Last 20 log lines of container 'main':\n  | line 5\n");
    expect(text).toContain('  | line 24');
    const big = text.split('\n').find((l) => l.startsWith('  | big '));
    expect(new TextEncoder().encode(big ?? '').length).toBeLessThanOrEqual(1024 + 4);
    expect(big).toMatch(/\[cut: \d+ more bytes\]$/);
  });

  it('sends the alert without log lines, and says so once, when CloudWatch Logs refuses the read', async () => {
    // Prepare
    cwl.on(GetLogEventsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const topic = recordingTopic();
    const deps = alertDeps(topic, {
      logs: buildTaskLogs(new CloudWatchLogsClient({ region: 'eu-west-1', maxAttempts: 1 })),
    });
    const log = captureLogs();

    // Act
    const out = await sendAlert(deps, runFailed(ranAndFailed), 'req-1');
    log.stop();

    // Assess
    expect(out).toEqual({ sent: ['sns'] });
    expect(topic.published[0]?.text).not.toContain('Last ');
    expect(log.faultLines('without its log lines')).toHaveLength(1);
    expect(log.faultLines('without its log lines')[0]).toMatchObject({ error: 'AccessDeniedException' });
  });

  it(`does not wait more than ${LOG_READ_MS} ms for the log lines`, async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const topic = recordingTopic();
    const deps = alertDeps(topic, { logs: { read: () => new Promise(() => undefined) } });

    // Act
    const sending = sendAlert(deps, runFailed(ranAndFailed), 'req-1');
    await vi.advanceTimersByTimeAsync(LOG_READ_MS);
    const out = await sending;
    vi.useRealTimers();

    // Assess
    expect(out).toEqual({ sent: ['sns'] });
    expect(topic.published).toHaveLength(1);
  });

  it('reads no log for a task that never started, nor for a missed tick', async () => {
    // Prepare
    const read = vi.fn(async () => ({ lines: [{ message: 'x' }] }));
    const topic = recordingTopic();
    const deps = alertDeps(topic, { logs: { read }, secret: async () => WEBHOOK, post: async () => undefined });

    // Act
    await sendAlert(deps, runFailed({ ...ranAndFailed, started: false } as typeof failed), 'req-1');
    await sendAlert(
      deps,
      {
        type: 'Schedule Missed',
        detail: {
          stage: 'dev',
          job: 'nightly-report',
          scheduledTime: '2026-11-21T01:00:00.000Z',
          expectedRunId: 'nightly-report-aaaaaaaaaaaaaaaaaaaa',
        },
      },
      'req-2',
    );

    // Assess
    expect(topic.published).toHaveLength(2);
    expect(read).not.toHaveBeenCalled();
  });
});
