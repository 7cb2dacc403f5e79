/**
 * The local flow as a person operates it: an alert's Logs: line leads to the task's local log file,
 * and a file dropped into a bucket folder that starts no run says why in the live log.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIdFor } from '../../lib/domain/runId.ts';
import { serveFlow } from '../../lib/local/flowServer.ts';
import { LocalRuntime } from '../../lib/local/LocalRuntime.ts';
import { scriptFrom } from '../../lib/local/taskScript.ts';
import { watchFlow } from '../../lib/local/watch.ts';
import { runCli } from '../helpers/cliProcess.ts';

const REPO = join(import.meta.dirname, '..', '..');
let failedRun = '';

const state = mkdtempSync(join(tmpdir(), 'longshore-operate-'));
let rt: LocalRuntime;

beforeAll(async () => {
  rt = await LocalRuntime.start({
    mode: 'flow',
    stateDir: state,
    persistent: false,
    // Retry backoffs at 1/100: csv-ingest's 30 s backoff is 0.3 s here.
    delayScale: 0.01,
    script: scriptFrom([{ job: 'csv-ingest', key: 'busy-', attempts: [{ kind: 'exit', code: 75 }] }]),
  });
});
afterAll(async () => {
  await rt.stop();
  await LocalRuntime.shutdownEngine();
});

describe('Local flow: alerts', () => {
  it("names the task's local log file on the alert's Logs: line, not a CloudWatch console URL", async () => {
    // Prepare: a CSV without an id column; csv-ingest's command exits 65, which its policy fails
    const key = `incoming/no-id-${Date.now()}.csv`;

    // Act
    await rt.upload('acme-partner-drop', key, 'name,value\nacme,1\n');
    await rt.idle(30_000);

    // Assess
    const alert = rt.recorder.alerts.find((a) => a.subject.includes('csv-ingest FAILED'));
    const logs = alert?.message.split('\n').find((l) => l.startsWith('Logs:'));
    expect(logs).toBeDefined();
    expect(logs).not.toContain('console.aws.amazon.com');
    const file = /(\/\S+\.log)/.exec(logs ?? '')?.[1] as string;
    expect(file.startsWith(join(state, 'logs'))).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain("has no 'id' column");
    failedRun = rt.recorder.events.find((e) => e.detailType === 'Run Failed')?.detail.runId as string;
  });
});

describe('CLI: runs logs on the local flow', () => {
  it("prints the deciding container's log of the latest attempt, as the task wrote it, and its JSON form", async () => {
    // Prepare: the CLI, a process of its own, reaches this flow over its port
    const stop = await serveFlow(rt);

    // Act
    const text = await runCli(REPO, ['--state', state, 'runs', 'logs', failedRun]);
    const json = await runCli(REPO, ['--state', state, '--json', 'runs', 'logs', failedRun, '--tail', '1']);
    const refused = await runCli(REPO, ['--state', state, 'runs', 'logs', failedRun, '--container', 'nope']);
    const show = await runCli(REPO, ['--state', state, 'runs', 'show', failedRun]);
    await stop();

    // Assess
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/csv-ingest: incoming\/no-id-\d+\.csv has no 'id' column \(header: name,value\)/);
    expect(JSON.parse(json.out)).toEqual({
      runId: failedRun,
      attempt: 1,
      container: 'main',
      group: '/longshore/dev/csv-ingest',
      stream: expect.stringMatching(/^longshore\/main\/[0-9a-f]{32}$/),
      lines: [{ message: expect.stringContaining("has no 'id' column") }],
    });
    expect(show.out).toContain("Last log lines of container 'main', attempt 1");
    expect(show.out).toMatch(/\| csv-ingest: incoming\/no-id-\d+\.csv has no 'id' column/);
    expect([refused.code, refused.err.trim()]).toEqual([
      2,
      "longshore: --container 'nope' must be one of job 'csv-ingest''s containers: main",
    ]);
  });
});

describe('Local flow: one clock', () => {
  it('launches a retry after the scaled backoff, not after the real one', async () => {
    // Prepare: exit 75 is csv-ingest's warehouse-busy rule (backoff 1m, full jitter): uploads until
    // one retry's delay is at least 20 s, which the flow (delays at 1/100) must wait 0.2 s for.
    const history = async (runId: string) => rt.store.getHistory(runId);
    const until = async <T>(read: () => Promise<T | undefined>, ms: number): Promise<T | undefined> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await read();
        if (v !== undefined || Date.now() > deadline) return v;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    let chosen: { runId: string; delay: number } | undefined;
    for (let i = 0; i < 10 && !chosen; i++) {
      const upload = await rt.upload('acme-partner-drop', `incoming/busy-${Date.now()}-${i}.csv`, 'id,name\n1,acme\n');
      const runId = (upload.result as { runs: { runId: string }[] }).runs[0]?.runId as string;
      const next = await until(async () => (await history(runId))?.attempts[0]?.decision?.next, 10_000);
      const delay = Number(/retrying in (\d+)s/.exec(next ?? '')?.[1] ?? 0);
      if (delay >= 20) chosen = { runId, delay };
    }
    expect(chosen).toBeDefined();
    const { runId, delay } = chosen as { runId: string; delay: number };

    // Act
    const done = await until(async () => {
      const h = await history(runId);
      return h?.run.status === 'SUCCEEDED' ? h : undefined;
    }, 8_000);

    // Assess: done well before the real delay (20 s or more)
    expect(done?.run).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
    const gap = Date.parse(done?.attempts[1]?.launchRequestedAt ?? '') - Date.parse(done?.attempts[0]?.stoppedAt ?? '');
    expect(gap).toBeLessThan((delay * 1000) / 4);
  });
});

describe('Local flow: uploads that start no run', () => {
  it('says why in the live log when a dropped file matches no job, or lands in a bucket no job watches', async () => {
    // Prepare
    const said: string[] = [];
    const stop = watchFlow(rt, {
      upload: () => undefined,
      tick: () => undefined,
      unmatched: (bucket, key, why) => said.push(`${bucket}/${key}: ${why}`),
      delivered: () => undefined,
    });
    await new Promise((r) => setTimeout(r, 200));

    // Act
    mkdirSync(join(rt.bucketsDir, 'acme-partner-drop', 'outgoing'), { recursive: true });
    writeFileSync(join(rt.bucketsDir, 'acme-partner-drop', 'outgoing', 'x.csv'), 'id\n1\n');
    mkdirSync(join(rt.bucketsDir, 'nobody-watches'), { recursive: true });
    writeFileSync(join(rt.bucketsDir, 'nobody-watches', 'a.txt'), 'a');
    const deadline = Date.now() + 10_000;
    while (said.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    stop();

    // Assess
    expect(said.sort()).toEqual([
      "acme-partner-drop/outgoing/x.csv: no job's S3 trigger on acme-partner-drop matches the key (csv-ingest: incoming/*.csv)",
      'nobody-watches/a.txt: no job has an S3 trigger on bucket nobody-watches; deployed, no rule would deliver it',
    ]);
  });
});

describe('Local flow: event and queue folders', () => {
  it('puts a dropped event file on its bus (one run per order, however often) and sends a dropped message file', async () => {
    // Prepare
    const said: string[] = [];
    const stop = watchFlow(rt, {
      upload: () => undefined,
      tick: () => undefined,
      unmatched: () => undefined,
      delivered: (where, file, outcome) => said.push(`${where}: ${file} ${outcome}`),
    });
    await new Promise((r) => setTimeout(r, 200));
    const order = {
      source: 'acme.shop',
      'detail-type': 'Order Placed',
      detail: { orderId: 'o-folder-1', channel: 'web', total: 3, items: [{ sku: 'MUG-RED' }] },
    };
    const waitFor = async (n: number) => {
      const deadline = Date.now() + 10_000;
      while (said.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    };

    // Act
    for (const dir of ['acme-shop', 'default']) mkdirSync(join(rt.eventsDir, dir), { recursive: true });
    writeFileSync(join(rt.eventsDir, 'acme-shop', 'order.json'), JSON.stringify(order));
    await waitFor(1);
    writeFileSync(join(rt.eventsDir, 'acme-shop', 'order-again.json'), JSON.stringify(order));
    await waitFor(2);
    writeFileSync(join(rt.eventsDir, 'default', 'order.json'), JSON.stringify(order));
    await waitFor(3);
    mkdirSync(join(rt.queuesDir, 'acme-orders-resend'), { recursive: true });
    writeFileSync(
      join(rt.queuesDir, 'acme-orders-resend', 'm1.json'),
      JSON.stringify({ ...order.detail, orderId: 'o-folder-2' }),
    );
    await waitFor(4);
    stop();

    // Assess
    const run = (id: string, kind: 'event' | 'sqs') => runIdFor('order-fulfilment', { type: kind, identity: [id] });
    expect(said).toEqual([
      `bus acme-shop: order.json starts run ${run('o-folder-1', 'event')}`,
      `bus acme-shop: order-again.json is already run ${run('o-folder-1', 'event')}`,
      'bus default: order.json no event trigger on this bus matches it',
      'queue acme-orders-resend: m1.json accepted',
    ]);
    expect((await rt.store.getRun(run('o-folder-2', 'sqs')))?.job).toBe('order-fulfilment');
  });
});

describe('Local flow: a run on another image', () => {
  it('registers a task definition revision for the tag once, runs the task on it, and reuses it for the next run', async () => {
    // Prepare
    const trigger = (token: string) =>
      rt.invoke('control', {
        action: 'trigger',
        job: 'nightly-report',
        clientToken: token,
        overrides: { imageTag: '5.1.0-rc1' },
      });
    rt.recorder.calls.length = 0;

    // Act
    const first = (await trigger('image-local-1')).result as { runId: string };
    await rt.idle(30_000);
    const second = (await trigger('image-local-2')).result as { runId: string };
    await rt.idle(30_000);

    // Assess
    const calls = (command: string) =>
      rt.recorder.calls.filter((c) => c.service === 'ECS' && c.command === command).map((c) => c.input);
    expect(calls('RegisterTaskDefinition')).toHaveLength(1);
    const registered = calls('RegisterTaskDefinition')[0] as {
      family: string;
      containerDefinitions: { name: string; image: string }[];
    };
    expect(registered.family).toMatch(/^longshore-dev-nightly-report_[0-9a-f]{16}$/);
    expect(registered.containerDefinitions.find((c) => c.name === 'main')?.image).toMatch(
      /finance\/reporter:5\.1\.0-rc1$/,
    );
    // This test's runs only: the flow may still be launching the earlier tests' retries.
    const runs = (calls('RunTask') as { taskDefinition: string; startedBy: string }[]).filter((r) =>
      [first, second].some(({ runId }) => r.startedBy.includes(runId)),
    );
    expect(runs.map((r) => r.taskDefinition)).toEqual([
      `arn:aws:ecs:eu-west-1:123456789012:task-definition/${registered.family}:1`,
      `arn:aws:ecs:eu-west-1:123456789012:task-definition/${registered.family}:1`,
    ]);
    for (const { runId } of [first, second]) expect((await rt.store.getRun(runId))?.status).toBe('SUCCEEDED');
  });
});
