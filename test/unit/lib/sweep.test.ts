import { describe, expect, it } from 'vitest';
import { sweepOnce } from '../../../lib/sweep.ts';
import { exampleCatalog } from '../../helpers/catalogs.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';

const deps = (store: ReturnType<typeof fakeStore>) => {
  const { core, ecs, metrics } = buildDeps(store, exampleCatalog());
  return { deps: { ...core, ecs, scheduleArn: () => 'arn:aws:scheduler:eu-west-1:1:schedule/g/s' }, metrics };
};

describe('Function: sweepOnce', () => {
  it("fails with the sweep's own error when giving the lease back fails too, and reports the lease once", async () => {
    // Prepare: found by the generated histories: the release's error used to replace the sweep's.
    const store = fakeStore({
      takeLease: async () => true,
      activeRuns: async () => Promise.reject(new Error('ThrottlingException: the sweep failed')),
      releaseLease: async () => Promise.reject(new Error('InternalServerError: the release failed')),
    });
    const { deps: d, metrics } = deps(store);

    // Act & Assess
    await expect(sweepOnce(d, 'req-1')).rejects.toThrow('the sweep failed');
    expect(metrics.faults).toEqual(['Error']);
  });

  it('keeps a finished sweep when only giving the lease back fails: the lease runs out by itself', async () => {
    // Prepare
    const store = fakeStore({
      takeLease: async () => true,
      activeRuns: async () => [],
      getJobState: async () => undefined,
      slotHolders: async () => [],
      queuedRuns: async () => [],
      scheduleTicks: async () => undefined,
      releaseLease: async () => Promise.reject(new Error('InternalServerError: the release failed')),
    });
    const { deps: d, metrics } = deps(store);

    // Act
    const report = await sweepOnce(d, 'req-1');

    // Assess
    expect(report.skipped).toBeUndefined();
    expect(metrics.faults).toEqual(['Error']);
  });
});
