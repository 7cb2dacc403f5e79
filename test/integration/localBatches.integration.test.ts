/**
 * Batches in the local flow: files dropped into a bucket folder fill a batch, the batch's run gets
 * its manifest (inline when small; written to the local manifest folder, as S3 PutObject would,
 * when large), and its task runs.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchRunTrigger } from '../../lib/domain/run.ts';
import { LocalRuntime } from '../../lib/local/LocalRuntime.ts';

const state = mkdtempSync(join(tmpdir(), 'longshore-batches-'));
let rt: LocalRuntime;

beforeAll(async () => {
  rt = await LocalRuntime.start({
    mode: 'flow',
    stateDir: state,
    persistent: false,
    catalogFile: join(import.meta.dirname, '..', 'fixtures', 'catalogs', 'batched.ts'),
  });
});
afterAll(async () => {
  await rt.stop();
  await LocalRuntime.shutdownEngine();
});

const runsOf = async (job: string) => (await rt.store.runsOfJob(job, { limit: 10 })).runs;

describe('Local flow: batches of uploads', () => {
  it('three files make one run with its manifest inline, and its task runs', async () => {
    // Act
    for (const name of ['a', 'b', 'c']) await rt.upload('acme-partner-drop', `small/${name}.csv`, 'id\n1\n');
    await rt.idle(30_000);

    // Assess
    const [run, ...more] = await runsOf('csv-small');
    expect(more).toEqual([]);
    expect(run?.status).toBe('SUCCEEDED');
    const t = run?.trigger as BatchRunTrigger;
    expect(t).toMatchObject({ type: 'batch', seq: 1, objects: 3, reason: 'full' });
    const manifest = JSON.parse('inline' in t.manifest ? t.manifest.inline : '[]') as { key: string }[];
    expect(manifest.map((e) => e.key)).toEqual(['small/a.csv', 'small/b.csv', 'small/c.csv']);
  });

  it('sixty files make one run whose manifest longshore wrote to the manifest bucket', async () => {
    // Act
    for (let i = 0; i < 60; i++)
      await rt.upload('acme-partner-drop', `large/partner-file-${String(i).padStart(4, '0')}.csv`, 'id\n1\n');
    await rt.idle(30_000);

    // Assess
    const [run, ...more] = await runsOf('csv-large');
    expect(more).toEqual([]);
    expect(run?.status).toBe('SUCCEEDED');
    const t = run?.trigger as BatchRunTrigger;
    expect(t.manifest).toEqual({ uri: `s3://longshore-dev-manifests/batches/csv-large/${run?.runId}.json` });
    const file = join(state, 'manifests', 'longshore-dev-manifests', 'batches', 'csv-large', `${run?.runId}.json`);
    expect(existsSync(file)).toBe(true);
    expect((JSON.parse(readFileSync(file, 'utf8')) as unknown[]).length).toBe(60);
    expect(rt.recorder.calls.some((c) => c.service === 'S3' && c.command === 'PutObject')).toBe(true);
  });
});
