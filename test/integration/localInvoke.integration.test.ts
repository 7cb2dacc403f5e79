/**
 * `longshore invoke`: every handler on its sample events, AWS mocked, the store embedded, and the
 * report checked (AWS calls, records, events, follow-ups). A sequence of invokes plays a whole run.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionKey } from '../../lib/local/functionKeys.ts';
import { type InvokeReport, invokeWithReport } from '../../lib/local/invokeReport.ts';
import { LocalRuntime } from '../../lib/local/LocalRuntime.ts';
import { projectCopy, runCli } from '../helpers/cliProcess.ts';
import { loadEvent } from '../helpers/events.ts';

let rt: LocalRuntime;
const state = mkdtempSync(join(tmpdir(), 'longshore-invoke-'));

beforeAll(async () => {
  rt = await LocalRuntime.start({ mode: 'invoke', stateDir: state });
});
afterAll(async () => {
  await rt.stop();
  await LocalRuntime.shutdownEngine();
});

const invoke = (fn: FunctionKey, event: unknown, file = 'test'): Promise<InvokeReport> =>
  invokeWithReport(rt, fn, event, file);
const calls = (r: InvokeReport) => r.awsCalls.map((c) => `${c.service} ${c.command}`);
const followUpFile = (r: InvokeReport, what: RegExp) => {
  const f = r.followUps.find((x) => what.test(x.what));
  return f ? JSON.parse(readFileSync(f.command.split(' ').pop() as string, 'utf8')) : undefined;
};

describe('Local invoke: a whole run, one handler at a time', () => {
  it('plays upload -> launch -> RUNNING -> STOPPED with the follow-up files each report writes', async () => {
    // Act
    const upload = await invoke('onUpload', loadEvent('s3-object-created'), 'events/s3-object-created.json');
    const launch = await invoke('launcher', followUpFile(upload, /^launch /));
    const running = await invoke('onTaskStateChange', followUpFile(launch, /task running/));
    const stopped = await invoke('onTaskStateChange', followUpFile(launch, /task stopped-success/));

    // Assess
    expect(calls(upload)).toEqual(['DynamoDB Put', 'SQS SendMessageBatch']);
    expect(upload.records).toEqual([
      expect.objectContaining({ kind: 'created', key: expect.stringMatching(/^RUN#thumbnails-[a-z2-7]{20} \| RUN$/) }),
    ]);
    expect(calls(launch)).toContain('ECS RunTask');
    expect(launch.tasks).toHaveLength(1);
    expect(launch.records.map((r) => `${r.kind} ${r.key.split(' | ')[1]}`)).toEqual(
      expect.arrayContaining(['created ATTEMPT#0001', 'changed RUN']),
    );
    expect(launch.eventsPublished.map((e) => e.detailType)).toEqual(['Run Started']);
    expect(running.result).toMatchObject({ outcome: 'running' });
    expect(stopped.result).toMatchObject({ outcome: 'settled', verdict: { outcome: 'success' } });
    expect(stopped.eventsPublished.map((e) => e.detailType)).toEqual(['Run Succeeded']);
    expect(stopped.records.find((r) => r.key.endsWith('| RUN'))?.changes?.status).toEqual(['RUNNING', 'SUCCEEDED']);
  });

  it('a failure decided by the policy: the report shows the retry and the next launch', async () => {
    // Prepare
    const upload = await invoke('onUpload', loadEvent('s3-object-created-versioned'));
    const launch = await invoke('launcher', followUpFile(upload, /^launch /));

    // Act
    const oom = await invoke(
      'onTaskStateChange',
      JSON.parse(
        readFileSync(
          join(
            state,
            'next',
            readdirSync(join(state, 'next')).find(
              (f) => f.includes(launch.tasks[0]?.startedBy.split('/')[2] ?? '?') && f.endsWith('stopped-oom.json'),
            ) ?? '',
          ),
          'utf8',
        ),
      ),
    );

    // Assess
    expect(oom.result).toMatchObject({ verdict: { action: 'retry-bigger', size: { memory: 4096 } } });
    expect(oom.eventsPublished.map((e) => e.detailType)).toEqual(['Run Retrying']);
    expect(oom.followUps.map((f) => f.what)).toEqual([expect.stringMatching(/attempt 2$/)]);
  });

  it('hints the next commands as npx longshore, the form that works without a global install', async () => {
    // Act
    const upload = await invoke('onUpload', loadEvent('s3-object-created-versioned'));
    const launch = await invoke('launcher', followUpFile(upload, /^launch /));

    // Assess
    const commands = [...upload.followUps, ...launch.followUps].map((f) => f.command);
    expect(commands.length).toBeGreaterThan(1);
    for (const c of commands) expect(c).toMatch(/^(npx longshore invoke |ls )/);
  });
});

describe('Local invoke: every handler on its sample events', () => {
  it.each<[FunctionKey, string, (r: InvokeReport) => void]>([
    ['onUpload', 's3-notification', (r) => expect(JSON.stringify(r.awsCalls)).toContain('red flower + sun:1.jpg')],
    [
      'onUpload',
      's3-malformed',
      (r) => expect([r.ok, r.error?.name, r.awsCalls.length]).toEqual([false, 'InvalidEventError', 0]),
    ],
    [
      'onSchedule',
      'schedule-scheduler-input',
      (r) => expect(r.result).toMatchObject({ job: 'nightly-report', created: true }),
    ],
    ['onSchedule', 'schedule-scheduler-default', (r) => expect(r.result).toMatchObject({ job: 'nightly-report' })],
    ['onSchedule', 'schedule-rule', (r) => expect(r.result).toMatchObject({ job: 'nightly-report' })],
    [
      'control',
      'control-trigger',
      (r) => expect(r.result).toMatchObject({ ok: true, action: 'trigger', created: true }),
    ],
    [
      'control',
      'control-retry',
      (r) => expect(r.result).toMatchObject({ ok: false, error: { code: 'RUN_NOT_FOUND' } }),
    ],
    [
      'control',
      'control-cancel',
      (r) => expect(r.result).toMatchObject({ ok: false, error: { code: 'RUN_NOT_FOUND' } }),
    ],
    ['launcher', 'launch-queue', (r) => expect(r.result).toEqual({ batchItemFailures: [] })],
    ['onTaskStateChange', 'ecs-task-stopped-oom', (r) => expect(r.result).toMatchObject({ outcome: 'unknown-run' })],
    [
      'onTaskStateChange',
      'ecs-task-foreign',
      (r) => expect([r.result, r.awsCalls]).toEqual([{ outcome: 'foreign' }, []]),
    ],
    [
      'sweeper',
      'sweeper-tick',
      (r) => {
        // The sweeper reads the wall clock: between 01:20 and 04:20 UTC (winter) today's 02:00 Paris
        // tick of nightly-report is due and, in this store, has no run: it is reported missed then,
        // and only then. Any tick reported is that one.
        const result = r.result as { timedOut: unknown[]; missedTicks: { job: string; scheduledTime: string }[] };
        expect(result.timedOut).toEqual([]);
        for (const m of result.missedTicks) expect(m.job).toBe('nightly-report');
        expect(result.missedTicks.length).toBeLessThanOrEqual(1);
      },
    ],
    [
      'alert',
      'run-failed',
      (r) =>
        expect([calls(r), r.alerts[0]?.subject]).toEqual([
          // the alert's marker taken, the deciding container's last log lines read (after the
          // marker: a duplicate reads nothing), the topic published to, the marker closed
          ['DynamoDB Update', 'CloudWatchLogs GetLogEvents', 'SNS Publish', 'DynamoDB Update'],
          expect.stringContaining('csv-ingest FAILED'),
        ]),
    ],
    [
      'onRunFinished',
      'run-succeeded',
      // A fresh store has no such run: the event is refused loudly (dead-letter), nothing is created.
      (r) => expect([r.ok, r.error?.name, calls(r)]).toEqual([false, 'RequestRejectedError', ['DynamoDB Get']]),
    ],
    [
      'alert',
      'schedule-missed',
      (r) =>
        expect([calls(r), r.webhooks.map((w) => [w.route, w.secret])]).toEqual([
          ['DynamoDB Update', 'SNS Publish', 'DynamoDB Update', 'SecretsManager GetSecretValue', 'DynamoDB Update'],
          [['reporting', 'longshore/reporting-webhook']],
        ]),
    ],
  ])('%s on events/%s.json', async (fn, name, check) => {
    // Act
    const report = await invoke(fn, loadEvent(name), `events/${name}.json`);

    // Assess
    check(report);
  });

  it('never reports a secret value: webhook URLs come back only as the call, never in the calls list', async () => {
    // Act
    const report = await invoke('alert', loadEvent('schedule-missed'));

    // Assess
    expect(JSON.stringify(report.awsCalls)).not.toContain('webhook.local');
  });
});

describe('CLI: longshore invoke alert', () => {
  // A webhook secret's value as a chat integration would hold it: the URL and its token.
  const CANARY = 'canary-5f0c2a9e';
  const secretValue = `https://webhook.local/services/T0${CANARY}/hook?token=${CANARY}`;

  it.each([[[]], [['--json']]])(
    'never prints the webhook secret value (%j): only the route and the secret name',
    async (flags) => {
      // Prepare
      const project = projectCopy({
        'local.secrets.json': JSON.stringify({ jobs: {}, secrets: { 'longshore/reporting-webhook': secretValue } }),
      });

      // Act
      const r = await runCli(project, [...flags, 'invoke', 'alert', 'events/schedule-missed.json']);

      // Assess
      expect(r.code).toBe(0);
      expect(r.out).toContain('longshore/reporting-webhook');
      expect(`${r.out}\n${r.err}`).not.toContain(CANARY);
      expect(`${r.out}\n${r.err}`).not.toContain('webhook.local/services');
    },
  );
});
