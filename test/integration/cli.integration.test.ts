/**
 * The longshore CLI against the local store: every command, its JSON, its plain output when not a
 * terminal, and the exit codes scripts rely on.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../lib/cli/exitCodes.ts';
import { LocalRuntime } from '../../lib/local/LocalRuntime.ts';
import { runMain } from '../helpers/cliInProcess.ts';

const state = mkdtempSync(join(tmpdir(), 'longshore-cli-'));

const cli = (...args: string[]) => runMain(['--state', state, ...args]);
const json = <T = Record<string, unknown>>(r: { out: string }): T => JSON.parse(r.out) as T;

afterAll(() => LocalRuntime.shutdownEngine());

describe('CLI: catalog', () => {
  it('lists the jobs', async () => {
    // Act
    const r = await cli('jobs', 'list', '--json');

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(json<{ jobs: { name: string }[] }>(r).jobs.map((j) => j.name)).toEqual([
      'thumbnails',
      'nightly-report',
      'csv-ingest',
      'ingest-summary',
      'order-fulfilment',
    ]);
  });

  it('lists the jobs that run after jobs under the table', async () => {
    // Act
    const r = await cli('jobs', 'list');

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('jobs that run after jobs:\n  csv-ingest -> ingest-summary (on SUCCEEDED)\n');
  });

  it('validates the catalog, and lists every problem of a broken one with exit 2', async () => {
    // Act
    const ok = await cli('jobs', 'validate');
    const bad = await cli('jobs', 'validate', '--catalog', 'test/fixtures/catalogs/broken.ts');

    // Assess
    expect([ok.code, ok.out]).toEqual([
      EXIT.ok,
      'valid: 5 jobs (thumbnails, nightly-report, csv-ingest, ingest-summary, order-fulfilment)\n',
    ]);
    expect(bad.code).toBe(EXIT.invalid);
    expect(bad.out).toContain(
      "job 'thumbs': size.memory: 3000 is not valid with cpu 512; use 1024, 2048, 3072 or 4096",
    );
    expect(bad.out).toContain("job 'Report': name: must be lowercase letters");
    expect(bad.out).toContain("job 'Report': triggers: needs at least one trigger");
  });

  it('plans what would be deployed, offline', async () => {
    // Act
    const r = await cli('plan', '--stage', 'prod', '--json');

    // Assess
    expect(json<{ stage: string; resources: Record<string, number>; afterGraph: string[] }>(r)).toMatchObject({
      stage: 'prod',
      resources: {
        'AWS::ECS::TaskDefinition': 5,
        'AWS::Lambda::Permission': 6,
        'AWS::Events::Rule': 7,
        'AWS::Lambda::EventSourceMapping': 1,
      },
      afterGraph: ['csv-ingest -> ingest-summary (on SUCCEEDED)'],
    });
  });
});

describe('CLI: runs on the local store', () => {
  let runId = '';

  it('triggers a job and, with no flow running, runs it to the end here', async () => {
    // Act
    const r = await cli('trigger', 'nightly-report', '--env', 'REPORT_FORMAT=csv', '--token', 'cli-test-1');

    // Assess
    expect(r.code).toBe(EXIT.ok);
    runId = /Created run (\S+)/.exec(r.out)?.[1] ?? '';
    expect(runId).toMatch(/^nightly-report-/);
    expect(r.out).toContain(`${runId}  SUCCEEDED`);
    expect(r.out).toContain('decision:    succeed [rule success]');
    expect(r.out).not.toContain(String.fromCharCode(27));
  });

  it('finds the same run again for the same client token and overrides', async () => {
    // Act
    const r = await cli('trigger', 'nightly-report', '--env', 'REPORT_FORMAT=csv', '--token', 'cli-test-1');

    // Assess
    expect(r.err).toBe('');
    expect(r.out).toContain(`Found run ${runId} (SUCCEEDED)`);
  });

  it('runs a job on a chosen object as an upload of it would: once per object, again with --force', async () => {
    // Prepare: the object, in the local bucket folder
    mkdirSync(join(state, 'buckets', 'acme-partner-drop', 'incoming'), { recursive: true });
    writeFileSync(join(state, 'buckets', 'acme-partner-drop', 'incoming', 'chosen.csv'), 'id,name\n1,a\n2,b\n');
    mkdirSync(join(state, 'buckets', 'acme-partner-drop', 'outgoing'), { recursive: true });
    writeFileSync(join(state, 'buckets', 'acme-partner-drop', 'outgoing', 'x.csv'), 'id\n');
    const object = 's3://acme-partner-drop/incoming/chosen.csv';

    // Act
    const first = await cli('trigger', 'csv-ingest', '--object', object);
    const again = await cli('trigger', 'csv-ingest', '--object', object);
    const forced = await cli('trigger', 'csv-ingest', '--object', object, '--force');
    const missing = await cli('trigger', 'csv-ingest', '--object', 's3://acme-partner-drop/incoming/none.csv');
    const unmatched = await cli('trigger', 'csv-ingest', '--object', 's3://acme-partner-drop/outgoing/x.csv');
    const malformed = await cli('trigger', 'csv-ingest', '--object', 'acme-partner-drop/incoming/chosen.csv');

    // Assess
    const id = /Created run (\S+)/.exec(first.out)?.[1] ?? '';
    expect(first.code).toBe(EXIT.ok);
    expect(first.out).toContain(`${id}  SUCCEEDED`);
    expect(first.out).toMatch(/trigger: +s3:\/\/acme-partner-drop\/incoming\/chosen\.csv/);
    expect(again.out).toContain(`Found run ${id} (SUCCEEDED)`);
    expect(forced.out).toMatch(/Created run csv-ingest-\S+ \(QUEUED\)/);
    expect(forced.out).not.toContain(`Created run ${id}`);
    expect(forced.code).toBe(EXIT.ok);
    expect([missing.code, missing.err.trim()]).toEqual([
      EXIT.notFound,
      'longshore: s3://acme-partner-drop/incoming/none.csv does not exist in the local bucket folders',
    ]);
    expect(unmatched.code).toBe(EXIT.rejected);
    expect(unmatched.err).toContain(
      "matches none of job 'csv-ingest''s S3 triggers (s3://acme-partner-drop/incoming/*.csv)",
    );
    expect([malformed.code, malformed.err.trim()]).toEqual([
      EXIT.invalid,
      "longshore: --object 'acme-partner-drop/incoming/chosen.csv' must be s3://<bucket>/<key>",
    ]);
  });

  it('refuses the same client token with other overrides with exit 4', async () => {
    // Act
    const r = await cli('trigger', 'nightly-report', '--token', 'cli-test-1');

    // Assess
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toContain(`Client token 'cli-test-1' was already used for run ${runId} with other overrides`);
  });

  it('lists runs by job and status, newest first', async () => {
    // Act
    const all = await cli('runs', 'list', '--json');
    const filtered = await cli(
      'runs',
      'list',
      '--job',
      'nightly-report',
      '--status',
      'succeeded',
      '--since',
      '1h',
      '--json',
    );
    const plain = await cli('runs', 'list');

    // Assess
    expect(json<{ runs: { runId: string }[] }>(all).runs.map((r) => r.runId)).toContain(runId);
    expect(json<{ runs: { runId: string; status: string }[] }>(filtered).runs).toEqual([
      expect.objectContaining({ runId, status: 'SUCCEEDED' }),
    ]);
    expect(plain.out.split('\n')[0]).toMatch(/^run\s+status\s+att\s+created\s+trigger\s+last outcome$/);
  });

  it('shows a run with attempts, decision, logs and a cost estimate', async () => {
    // Act
    const r = await cli('runs', 'show', runId, '--json');

    // Assess
    const doc = json<{
      run: { status: string };
      attempts: { decision: { rule: string }; logs: string; costUsd: number }[];
      costUsd: number;
    }>(r);
    expect(doc.run.status).toBe('SUCCEEDED');
    expect(doc.attempts[0]?.decision.rule).toBe('success');
    expect(doc.attempts[0]?.logs).toMatch(/logs\/longshore\/dev\/nightly-report\/report\/main\/[0-9a-f]{32}\.log$/);
    expect(doc.costUsd).toBeGreaterThan(0);
  });

  it('retries a finished run as a new run that runs here', async () => {
    // Act
    const r = await cli('runs', 'retry', runId, '--token', 'retry-1');

    // Assess
    expect(r.code).toBe(EXIT.ok);
    const retryId = /Created run (\S+)/.exec(r.out)?.[1];
    expect(retryId).not.toBe(runId);
    expect(r.out).toContain(`a retry of ${runId}`);
    expect(r.out).toContain('SUCCEEDED');
  });

  it('refuses to cancel a finished run with exit 4, saying it has finished', async () => {
    // Act
    const r = await cli('runs', 'cancel', runId, '--reason', 'late');

    // Assess
    expect([r.code, r.err.trim()]).toEqual([
      EXIT.rejected,
      `longshore: Run ${runId} has already finished (SUCCEEDED); there is nothing to cancel`,
    ]);
  });

  it.each([
    [
      ['runs', 'show', 'nightly-report-aaaaaaaaaaaaaaaaaaaa'],
      EXIT.notFound,
      "Run 'nightly-report-aaaaaaaaaaaaaaaaaaaa' does not exist",
    ],
    [['trigger', 'payroll'], EXIT.notFound, "Unknown job 'payroll'"],
    [['trigger', 'thumbnails', '--env', 'S3_KEY=x'], EXIT.invalid, "--env 'S3_KEY': is reserved"],
    [['trigger', 'thumbnails', '--env', 'NOEQUALS'], EXIT.invalid, "--env 'NOEQUALS' is not NAME=VALUE"],
    [
      ['trigger', 'csv-ingest', '--command', '["sh","-c","env"]'],
      EXIT.rejected,
      "command: job 'csv-ingest' does not accept a command override",
    ],
    [
      ['trigger', 'csv-ingest', '--env', 'LD_PRELOAD=/tmp/x.so'],
      EXIT.rejected,
      "environment.LD_PRELOAD: job 'csv-ingest' does not accept it (its overrides.environment allows BATCH_ROWS, SOURCE_DATE)",
    ],
    [
      ['runs', 'list', '--since', 'yesterday-ish'],
      EXIT.invalid,
      "--since 'yesterday-ish' must be a duration with its unit",
    ],
    [['explain', 'no-such-file.json'], EXIT.invalid, 'Cannot read no-such-file.json as JSON'],
    [['invoke', 'nosuch', 'events/s3-object-created.json'], EXIT.invalid, "Unknown function 'nosuch'"],
    [['runs', 'list', '--stage', 'Bad_Stage'], EXIT.invalid, "Stage 'Bad_Stage' is not allowed"],
  ])('%j exits %i with a clear message', async (args, code, message) => {
    // Act
    const r = await cli(...args);

    // Assess
    expect(r.code).toBe(code);
    expect(r.err).toContain(message);
  });
});

describe('CLI: explain and invoke', () => {
  it('explains an OOM stop: the rule that decides and what happens next', async () => {
    // Act
    const r = await cli('explain', 'events/ecs-task-stopped-oom.json', '--json');

    // Assess
    expect(json(r)).toMatchObject({
      kind: 'task',
      job: 'csv-ingest',
      verdict: { action: 'retry-bigger', rule: 'out-of-memory', size: { memory: 4096 } },
    });
  });

  it('explains an upload: the jobs it starts and their run ids', async () => {
    // Act
    const r = await cli('explain', 'events/s3-notification.json');

    // Assess
    expect(r.out).toContain(
      's3://acme-media-uploads/uploads/holiday/red flower + sun:1.jpg\n  starts thumbnails as run thumbnails-',
    );
    expect(r.out).toContain('uploads/holiday/notes.txt\n  matches no job');
  });

  it('invokes a handler and reports as one JSON document', async () => {
    // Act
    const r = await cli('invoke', 'onUpload', 'events/s3-object-created.json', '--json');

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(json(r)).toMatchObject({
      function: 'onUpload',
      ok: true,
      awsCalls: [
        { service: 'DynamoDB', command: 'Put' },
        { service: 'SQS', command: 'SendMessageBatch' },
      ],
    });
  });

  it('exits 2 when the invoked handler rejects the event', async () => {
    // Act
    const r = await cli('invoke', 'onUpload', 'events/s3-malformed.json');

    // Assess
    expect(r.code).toBe(EXIT.invalid);
    expect(r.out).toContain(
      'InvalidEventError: Invalid S3 "Object Created" event: detail.object.key: is required (string)',
    );
  });
});

describe('CLI: the local flow', () => {
  it('plays the demo and exits 0 when every run ends as expected', async () => {
    // Act
    const r = await cli('up', '--demo', '--no-watch', '--json');

    // Assess
    expect(r.code).toBe(EXIT.ok);
    const doc = json<{ runs: { run: { job: string; status: string } }[]; problems: string[] }>(r);
    expect(doc.problems).toEqual([]);
    expect(doc.runs.map((x) => [x.run.job, x.run.status])).toEqual([
      ['thumbnails', 'SUCCEEDED'],
      ['csv-ingest', 'SUCCEEDED'],
      ['csv-ingest', 'SUCCEEDED'],
      ['nightly-report', 'FAILED'],
      ['csv-ingest', 'FAILED'],
      ['order-fulfilment', 'SUCCEEDED'],
      ['order-fulfilment', 'SUCCEEDED'],
      ['ingest-summary', 'SUCCEEDED'],
      ['ingest-summary', 'SUCCEEDED'],
    ]);
  });
});
