/**
 * Stopping the local flow never leaves a run RUNNING with no task behind it: Ctrl-C cancels the runs
 * of the tasks it runs, and the next start cancels the orphans of a flow that died without that.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../lib/local/LocalRuntime.ts';
import { scriptFrom } from '../../lib/local/taskScript.ts';

const state = mkdtempSync(join(tmpdir(), 'longshore-settle-'));

afterAll(async () => {
  await LocalRuntime.shutdownEngine();
});

const start = () =>
  LocalRuntime.start({
    mode: 'flow',
    stateDir: state,
    pace: { startMs: 20, stepMs: 40 },
    script: scriptFrom([{ job: 'thumbnails', key: 'hang', attempts: [{ kind: 'hang' }] }]),
  });

/** An upload whose task hangs, once its run is RUNNING. */
const hangingRun = async (rt: LocalRuntime, name: string): Promise<string> => {
  const out = await rt.upload('acme-media-uploads', `uploads/hang-${name}-${Date.now()}.jpg`, 'jpeg');
  const runId = (out.result as { runs: { runId: string }[] }).runs[0]?.runId as string;
  const deadline = Date.now() + 10_000;
  while ((await rt.store.getRun(runId))?.status !== 'RUNNING' && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  return runId;
};

describe('Local flow: stopping', () => {
  it('cancels the runs of its running tasks when it stops (Ctrl-C), freeing their slots', async () => {
    // Prepare
    const rt = await start();
    const runId = await hangingRun(rt, 'stop');
    expect((await rt.store.getRun(runId))?.status).toBe('RUNNING');

    // Act
    await rt.stop();

    // Assess
    const run = await rt.store.getRun(runId);
    expect(run).toMatchObject({ status: 'CANCELLED', reason: expect.stringContaining('the local flow stopped') });
    expect(await rt.store.slotHolders('thumbnails')).toEqual([]);
  });

  it('cancels at start the runs whose task an earlier flow ran when it died', async () => {
    // Prepare: a run RUNNING, then its tasks gone as if the process had been killed
    const rt = await start();
    const runId = await hangingRun(rt, 'orphan');
    rt.ecs.shutdown();
    rt.ecs.tasks.clear();

    // Act
    const settled = await rt.settleOrphans();

    // Assess
    expect(settled).toEqual([runId]);
    expect(await rt.store.getRun(runId)).toMatchObject({
      status: 'CANCELLED',
      reason: expect.stringContaining('orphaned'),
    });
    await rt.stop();
  });
});
