/** Which runs the console's Runs page lists: by status, trigger kind, key prefix or text, and time. */
import { describe, expect, it } from 'vitest';
import { runMatches } from '../../../../lib/domain/runFilter.ts';
import { runItem } from '../../../helpers/items.ts';

const upload = runItem('csv-ingest', { type: 's3', bucket: 'acme-partner-drop', key: 'incoming/globex-1.csv' });
const retryOfUpload = runItem('csv-ingest', {
  type: 'retry',
  of: upload.runId,
  token: 't1',
  original: { type: 's3', bucket: 'acme-partner-drop', key: 'incoming/globex-1.csv' },
  requestedBy: 'alice',
});
const manual = runItem('csv-ingest', { type: 'manual', token: 'm1', requestedBy: 'bob' });

describe('Function: runMatches', () => {
  it('matches every run when the filter is empty', () => {
    // Assess
    expect([upload, retryOfUpload, manual].map((r) => runMatches(r, {}))).toEqual([true, true, true]);
  });

  it('matches an upload by the start of its key or of its s3:// address, and a retry of it too', () => {
    // Act
    const byKey = [upload, retryOfUpload, manual].map((r) => runMatches(r, { trigger: 'incoming/glo' }));
    const byAddress = runMatches(upload, { trigger: 's3://acme-partner-drop/incoming/' });
    const inside = runMatches(upload, { trigger: 'globex' });

    // Assess
    expect(byKey).toEqual([true, true, false]);
    expect(byAddress).toBe(true);
    expect(inside).toBe(false);
  });

  it("matches another trigger by text of its summary, and a retry by its own kind, not its original's", () => {
    // Assess
    expect(runMatches(manual, { trigger: 'by bob' })).toBe(true);
    expect(runMatches(retryOfUpload, { triggerKind: 'retry' })).toBe(true);
    expect(runMatches(retryOfUpload, { triggerKind: 's3' })).toBe(false);
  });

  it('refuses a run of another status, or created outside [since, until)', () => {
    // Prepare
    const failed = { ...upload, status: 'FAILED' as const };

    // Assess
    expect(runMatches(failed, { statuses: ['FAILED', 'TIMED_OUT'] })).toBe(true);
    expect(runMatches(upload, { statuses: ['FAILED'] })).toBe(false);
    expect(runMatches(upload, { since: upload.createdAt, until: '2026-11-22T09:00:01.000Z' })).toBe(true);
    expect(runMatches(upload, { until: upload.createdAt })).toBe(false);
    expect(runMatches(upload, { since: '2026-11-22T09:00:00.001Z' })).toBe(false);
  });
});
