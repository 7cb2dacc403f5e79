/**
 * The whole flow on one machine: the demo scenario end to end, folder uploads, cancelling a running
 * task, and the CLI talking to a running flow over its loopback port.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowBackend } from '../../lib/cli/backends.ts';
import { watchBuckets } from '../../lib/local/bucketFolders.ts';
import { demoPlan, playDemo } from '../../lib/local/demo.ts';
import { findFlow, serveFlow } from '../../lib/local/flowServer.ts';
import { LocalRuntime } from '../../lib/local/LocalRuntime.ts';
import { scriptFrom } from '../../lib/local/taskScript.ts';

const state = mkdtempSync(join(tmpdir(), 'longshore-flow-'));
const plan = demoPlan(new Date());
let rt: LocalRuntime;

beforeAll(async () => {
  rt = await LocalRuntime.start({
    mode: 'flow',
    stateDir: state,
    persistent: false,
    pace: { startMs: 20, stepMs: 60 },
    script: scriptFrom([...plan.script, { job: 'thumbnails', key: 'hang', attempts: [{ kind: 'hang' }] }]),
  });
});
afterAll(async () => {
  await rt.stop();
  await LocalRuntime.shutdownEngine();
});

describe('Local flow', () => {
  it('plays the demo: success, OOM then bigger, Spot then on-demand, pull failure with an alert, a rejected file whose alert quotes its log', async () => {
    // Act
    const result = await playDemo(rt, plan, () => undefined);

    // Assess
    expect(result.idle).toBe(true);
    const [thumb, oom, spot, report, rejected] = result.runs;
    expect(thumb?.run).toMatchObject({ job: 'thumbnails', status: 'SUCCEEDED', attempt: 1 });
    expect(oom?.run).toMatchObject({ job: 'csv-ingest', status: 'SUCCEEDED', attempt: 2, size: { memory: 4096 } });
    expect(oom?.attempts.map((a) => a.decision?.action)).toEqual(['retry-bigger', 'succeed']);
    expect(spot?.run).toMatchObject({ status: 'SUCCEEDED', attempt: 2, capacity: 'FARGATE' });
    // The interruption notice and the STOPPED event are two events, delivered in any order (as AWS
    // does); when STOPPED comes first the notice is stale and leaves no spotNoticeAt (seen on a loaded
    // machine). What decides is the stop code; the notice itself is tested in outcomes.integration.
    expect(spot?.attempts[0]).toMatchObject({
      stopCode: 'SpotInterruption',
      decision: { action: 'retry-on-demand' },
    });
    expect(report?.run).toMatchObject({
      job: 'nightly-report',
      status: 'FAILED',
      outcome: { rule: 'image-not-pullable' },
    });
    expect(rejected?.run).toMatchObject({
      job: 'csv-ingest',
      status: 'FAILED',
      outcome: { rule: 'partner-file-rejected' },
    });
    expect([result.alerts, result.webhooks]).toEqual([2, 1]);
    const rejectedAlert = rt.recorder.alerts.find((a) => a.message.includes(rejected?.run.runId ?? '?'))?.message;
    expect(rejectedAlert).toContain("Last 3 log lines of container 'main':");
    expect(rejectedAlert).toMatch(/ {2}\| csv-ingest: incoming\/hooli-\d{8}T\d{6}\.csv has no 'id' column/);
    // One read for the alert's last 20 lines; one per succeeded csv-ingest for its result (last 100).
    const reads = rt.recorder.calls.filter((c) => c.service === 'CloudWatchLogs' && c.command === 'GetLogEvents');
    expect(reads.map((c) => (c.input as { limit?: number }).limit).sort()).toEqual([100, 100, 20]);
    expect(rt.recorder.alerts.find((a) => a.message.includes(report?.run.runId ?? '?'))?.subject).toContain(
      'nightly-report FAILED',
    );
  });

  it('runs the job command with the task environment and the local secrets, writing its outputs', async () => {
    // Act
    const out = await rt.upload('acme-partner-drop', 'incoming/acme-check.csv', 'id,amount\n1,2\n');
    await rt.idle(20_000);

    // Assess
    const runId = (out.result as { runs: { runId: string }[] }).runs[0]?.runId ?? '';
    const h = await rt.store.getHistory(runId);
    expect(h?.run.status).toBe('SUCCEEDED');
    const task = [...rt.ecs.tasks.values()].find((t) => t.runId === runId);
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(task?.logFile ?? '', 'utf8');
    expect(log).toContain('warehouse credentials present (value never printed)');
    expect(log).not.toContain('local-warehouse-password');
    expect(
      JSON.parse(readFileSync(join(rt.bucketsDir, '..', 'warehouse', 'raw', 'acme-check.csv.json'), 'utf8')),
    ).toMatchObject({ rows: 1, run: runId });
  });

  it('turns a file dropped into a bucket folder into an upload, once', async () => {
    // Prepare
    const uploads: string[] = [];
    const stop = watchBuckets(
      rt.bucketsDir,
      rt.catalog,
      (bucket, key) => uploads.push(`${bucket}/${key}`),
      rt.delivered,
    );
    mkdirSync(join(rt.bucketsDir, 'acme-media-uploads', 'uploads'), { recursive: true });

    // Act
    writeFileSync(join(rt.bucketsDir, 'acme-media-uploads', 'uploads', 'dropped.jpg'), 'jpeg');
    writeFileSync(join(rt.bucketsDir, 'not-a-job-bucket.txt'), 'x');
    await new Promise((r) => setTimeout(r, 900));
    stop();

    // Assess
    expect(uploads).toEqual(['acme-media-uploads/uploads/dropped.jpg']);
  });

  it('cancels a running task through the CLI backend of a running flow: CANCELLING, task stopped, then CANCELLED, slot freed', async () => {
    // Prepare
    const stopServer = await serveFlow(rt);
    const info = await findFlow(state);
    if (!info) throw new Error('the flow did not answer');
    const b = flowBackend(info);
    const out = await rt.upload('acme-media-uploads', 'uploads/hang-forever.jpg', 'jpeg');
    const runId = (out.result as { runs: { runId: string }[] }).runs[0]?.runId ?? '';
    await new Promise((r) => setTimeout(r, 300));

    // Act
    const answer = await b.control({ action: 'cancel', runId, reason: 'test' });
    await b.waitFor(runId, 5000);
    await rt.idle(5000);
    const h = await b.history(runId);
    await stopServer();

    // Assess
    expect(answer).toMatchObject({ ok: true, status: 'CANCELLING' });
    expect(h?.run.status).toBe('CANCELLED');
    expect(h?.attempts[0]).toMatchObject({
      status: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'longshore: cancelled: test',
    });
    expect(await rt.store.slotHolders('thumbnails')).toEqual([]);
    expect(await findFlow(state)).toBeUndefined();
  });
});
