/**
 * Batches of small uploads over DynamoDB Local (issue 14, section 2): every object in exactly one
 * batch, whatever is delivered twice, at once, or cut short by a Lambda dying between two writes
 * (one crash point after each write of the protocol), and one run per batch, its id from the batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBatch, closeDueBatches } from '../../lib/acceptBatch.ts';
import { acceptUploads } from '../../lib/acceptUploads.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { parseUploads } from '../../lib/contracts/s3.ts';
import { batchSpecOf, type ManifestEntry } from '../../lib/domain/batch.ts';
import type { BatchRunTrigger, Run } from '../../lib/domain/run.ts';
import type { BatchDeps, ManifestPort, RunStore } from '../../lib/ports.ts';
import { Rng } from '../fuzz/rng.ts';
import { baseCatalog, baseJob } from '../helpers/catalogs.ts';
import { objectCreated } from '../helpers/events.ts';
import { buildDeps, fakeClock } from '../helpers/fakes.ts';
import { localStore } from '../helpers/localTable.ts';

let store: RunStore;
let close: () => void;
beforeAll(async () => {
  const local = await localStore();
  store = local.store;
  close = local.close;
});
afterAll(() => close());

const catalogFor = (name: string, batch: { maxObjects: number; window: string; maxBytes?: number }): Catalog =>
  validateCatalog(
    baseCatalog([
      baseJob({ name, triggers: [{ type: 's3', bucket: 'acme-drop', prefix: `${name}/`, suffix: '.csv', batch }] }),
    ]),
  );

/** The manifest bucket in memory: what was written, by key. */
const memoryManifests = () => {
  const objects = new Map<string, string>();
  const port: ManifestPort = {
    write: async (key, body) => {
      const prior = objects.get(key);
      if (prior !== undefined && prior !== body) throw new Error(`manifest ${key} written twice with other text`);
      objects.set(key, body);
      return `s3://longshore-test-manifests/${key}`;
    },
  };
  return { objects, port };
};

class LambdaDied extends Error {}

/**
 * The store as one invocation sees it: after each write of the methods in `points`, the Lambda may
 * die (with probability `p`, and for sure the first time each point is reached), the write done
 * and the rest of the invocation not.
 */
const dying = (inner: RunStore, rng: Rng, p: number, crashes: Map<string, number>): RunStore => {
  const points = new Set([
    'reserveBatchSlot',
    'fillBatchSlot',
    'assignBatchedObject',
    'voidBatchSlot',
    'addBatchVoids',
    'sealBatch',
    'markBatchClosed',
    'createRun',
  ]);
  return new Proxy(inner, {
    get(target, prop: string) {
      const fn = (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[prop];
      if (typeof fn !== 'function' || !points.has(prop)) return fn;
      return async (...args: unknown[]) => {
        const out = await fn.apply(target, args);
        if (!crashes.has(prop) || rng.chance(p)) {
          crashes.set(prop, (crashes.get(prop) ?? 0) + 1);
          throw new LambdaDied(`Lambda died after ${prop}`);
        }
        return out;
      };
    },
  });
};

const batchRuns = async (job: string): Promise<Run[]> => {
  const runs: Run[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.runsOfJob(job, { limit: 100, ...(cursor ? { cursor } : {}) });
    runs.push(...page.runs);
    cursor = page.cursor;
  } while (cursor);
  return runs;
};

const manifestOf = (run: Run, objects: Map<string, string>): ManifestEntry[] => {
  const t = run.trigger as BatchRunTrigger;
  const text = 'inline' in t.manifest ? t.manifest.inline : objects.get(t.manifest.uri.split('/').slice(3).join('/'));
  if (text === undefined) throw new Error(`run ${run.runId}: manifest ${JSON.stringify(t.manifest)} not written`);
  return JSON.parse(text) as ManifestEntry[];
};

describe('batches of small uploads', () => {
  it('2,000 uploads with duplicates, concurrent deliveries and crashes after every write become 40 runs of 50, each object once', async () => {
    // Prepare
    const job = 'drop2k';
    const catalog = catalogFor(job, { maxObjects: 50, window: '1h' });
    const clock = fakeClock('2026-11-22T10:00:00.000Z');
    const { core, queue } = buildDeps(store, catalog, clock);
    const manifests = memoryManifests();
    const deps: BatchDeps = { ...core, manifests: manifests.port };
    const rng = new Rng(20261202);
    const crashes = new Map<string, number>();
    const keys = Array.from({ length: 2000 }, (_, i) => `${job}/part-${String(i).padStart(5, '0')}.csv`);
    // Each object is delivered once, 20% twice (half of those at the same moment), and each
    // delivery that dies is delivered again (Lambda's async retry), until one gets through.
    const deliveries: string[][] = [];
    for (const key of keys) {
      const copies = rng.chance(0.2) ? 2 : 1;
      if (copies === 2 && rng.chance(0.5)) deliveries.push([key, key]);
      else for (let c = 0; c < copies; c++) deliveries.push([key]);
    }
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [deliveries[i], deliveries[j]] = [deliveries[j] as string[], deliveries[i] as string[]];
    }
    const deliver = async (key: string): Promise<void> => {
      const event = objectCreated('acme-drop', key, { sequencer: `0A${key.slice(-9, -4)}`, size: 100 });
      for (let attempt = 1; ; attempt++) {
        const invocation = { ...deps, store: dying(store, rng, 0.01, crashes) };
        try {
          await acceptUploads(invocation, parseUploads(structuredClone(event)));
          return;
        } catch (e) {
          if (!(e instanceof LambdaDied) || attempt > 20) throw e;
        }
      }
    };

    // Act: 16 invocations at a time, as a burst of uploads runs onUpload concurrently.
    for (let i = 0; i < deliveries.length; i += 16)
      await Promise.all(
        deliveries
          .slice(i, i + 16)
          .flat()
          .map((k) => deliver(k)),
      );
    // A crash after the last write of a closer leaves its batch for the sweeper.
    await closeDueBatches(deps);

    // Assess
    const runs = await batchRuns(job);
    expect(runs).toHaveLength(40);
    const seen = new Map<string, number>();
    for (const run of runs) {
      const entries = manifestOf(run, manifests.objects);
      expect(entries).toHaveLength(50);
      expect((run.trigger as BatchRunTrigger).reason).toBe('full');
      for (const e of entries) seen.set(e.key, (seen.get(e.key) ?? 0) + 1);
    }
    const lost = keys.filter((k) => !seen.has(k));
    const twice = [...seen].filter(([, n]) => n > 1);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    expect(new Set(runs.map((r) => (r.trigger as BatchRunTrigger).seq)).size).toBe(40);
    // Every crash point was hit, and the runs were queued for launch.
    for (const point of [
      'reserveBatchSlot',
      'fillBatchSlot',
      'assignBatchedObject',
      'voidBatchSlot',
      'addBatchVoids',
      'sealBatch',
      'markBatchClosed',
      'createRun',
    ])
      expect(crashes.get(point) ?? 0, point).toBeGreaterThan(0);
    expect(new Set(queue.sent.map((m) => m.runId))).toEqual(new Set(runs.map((r) => r.runId)));
  }, 900_000);

  it('a batch that never fills is closed by its window (the sweeper), its manifest inline, and a late delivery is a no-op', async () => {
    // Prepare
    const job = 'dropwin';
    const catalog = catalogFor(job, { maxObjects: 500, window: '10m' });
    const clock = fakeClock('2026-11-22T10:00:00.000Z');
    const { core } = buildDeps(store, catalog, clock);
    const deps: BatchDeps = core; // no manifest bucket: three objects go inline
    const upload = (key: string) =>
      acceptUploads(deps, parseUploads(objectCreated('acme-drop', `${job}/${key}`, { sequencer: key, size: 7 })));
    await upload('a.csv');
    clock.advance(60);
    await upload('b.csv');
    await upload('c.csv');

    // Act
    clock.advance(8 * 60);
    const early = await closeDueBatches(deps);
    clock.advance(2 * 60);
    const due = await closeDueBatches(deps);
    const again = await closeDueBatches(deps);
    const late = await upload('b.csv');

    // Assess
    expect(early).toEqual([]);
    expect(due).toMatchObject([{ job, seq: 1, outcome: 'closed', reason: 'window', objects: 3 }]);
    expect(again).toEqual([]);
    expect(late.batched).toMatchObject([{ seq: 1, duplicate: true }]);
    const [run, ...more] = await batchRuns(job);
    expect(more).toEqual([]);
    const t = run?.trigger as BatchRunTrigger;
    expect(t).toMatchObject({ type: 'batch', seq: 1, objects: 3, bytes: 21, reason: 'window' });
    expect(JSON.parse('inline' in t.manifest ? t.manifest.inline : '[]')).toEqual([
      { bucket: 'acme-drop', key: `${job}/a.csv`, size: 7, etag: expect.any(String) },
      { bucket: 'acme-drop', key: `${job}/b.csv`, size: 7, etag: expect.any(String) },
      { bucket: 'acme-drop', key: `${job}/c.csv`, size: 7, etag: expect.any(String) },
    ]);
  });

  it('maxBytes closes a batch before the object that would pass it, and an object too big alone gets a batch of its own', async () => {
    // Prepare
    const job = 'dropbytes';
    const catalog = catalogFor(job, { maxObjects: 100, window: '1h', maxBytes: 1000 });
    const { core } = buildDeps(store, catalog, fakeClock());
    const upload = (key: string, size: number) =>
      acceptUploads(core, parseUploads(objectCreated('acme-drop', `${job}/${key}`, { sequencer: key, size })));

    // Act
    await upload('a.csv', 400);
    await upload('b.csv', 500);
    const third = await upload('c.csv', 300);
    const huge = await upload('d.csv', 5000);
    const after = await upload('e.csv', 10);

    // Assess
    expect(third.runs).toHaveLength(1);
    expect(huge.runs).toHaveLength(1);
    expect(after.runs).toHaveLength(1);
    const runs = (await batchRuns(job)).map((r) => r.trigger as BatchRunTrigger).sort((a, b) => a.seq - b.seq);
    expect(runs.map((t) => [t.seq, t.objects, t.bytes, t.reason])).toEqual([
      [1, 2, 900, 'bytes'],
      [2, 1, 300, 'bytes'],
      [3, 1, 5000, 'bytes'],
    ]);
  });

  it('a closer finds a slot its writer never filled: it voids it, the batch stays open, and fills to exactly maxObjects', async () => {
    // Prepare: the writer of slot 2 died after taking it.
    const job = 'drophole';
    const catalog = catalogFor(job, { maxObjects: 3, window: '1h' });
    const { core } = buildDeps(store, catalog, fakeClock());
    const stream = { job, triggerIndex: 0 };
    const spec = batchSpecOf(catalog.jobs[0]?.triggers[0] as never) as NonNullable<ReturnType<typeof batchSpecOf>>;
    const upload = (key: string) =>
      acceptUploads(core, parseUploads(objectCreated('acme-drop', `${job}/${key}`, { sequencer: key, size: 1 })));
    await upload('a.csv');
    await store.reserveBatchSlot(stream, 1, { slotLimit: 3, cutoff: '2000-01-01T00:00:00Z' }, 1, core.now(), 0);

    // Act
    const filling = await upload('b.csv');
    const last = await upload('c.csv');
    const checkedAgain = await closeBatch(core, catalog.jobs[0] as never, stream, spec, 1, 'full');

    // Assess
    expect(filling.runs).toEqual([]);
    expect(last.runs).toHaveLength(1);
    expect(checkedAgain.closed).toMatchObject({ outcome: 'closed', objects: 3 });
    const batch = await store.getBatch(stream, 1);
    expect(batch).toMatchObject({ slots: 4, voided: [2], members: 3 });
    expect((await batchRuns(job)).map((r) => (r.trigger as BatchRunTrigger).objects)).toEqual([3]);
  });
});
