import { describe, expect, it } from 'vitest';
import { parseStartedBy, startedBy } from '../../../../lib/domain/names.ts';
import { clientTokenFor, identityText, RUN_ID_PATTERN, runIdFor } from '../../../../lib/domain/runId.ts';

describe('Function: runIdFor', () => {
  it('is stable for the same trigger and different for any difference', () => {
    // Prepare
    const base = { type: 's3' as const, bucket: 'b', key: 'k', sequencer: '0A' };

    // Act
    const ids = [
      runIdFor('job', base),
      runIdFor('job', { ...base }),
      runIdFor('job', { ...base, sequencer: '0B' }),
      runIdFor('job', { ...base, key: 'k2' }),
      runIdFor('other', base),
    ];

    // Assess
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(RUN_ID_PATTERN);
  });

  it('prefers version id, then sequencer, then etag as the object identity', () => {
    // Act & Assess
    expect(identityText({ type: 's3', bucket: 'b', key: 'k', versionId: 'v', sequencer: 's', etag: 'e' })).toBe(
      's3\nb\nk\nv:v',
    );
    expect(identityText({ type: 's3', bucket: 'b', key: 'k', sequencer: 's', etag: 'e' })).toBe('s3\nb\nk\ns:s');
    expect(identityText({ type: 's3', bucket: 'b', key: 'k', etag: 'e' })).toBe('s3\nb\nk\ne:e');
  });

  it('normalises the scheduled time, so two spellings of one instant are one run', () => {
    // Act & Assess
    expect(runIdFor('j', { type: 'schedule', schedule: 'arn:s', scheduledTime: '2026-11-22T01:00:00Z' })).toBe(
      runIdFor('j', { type: 'schedule', schedule: 'arn:s', scheduledTime: '2026-11-22T01:00:00.000Z' }),
    );
  });

  it('fits startedBy with the longest job name and a 3-digit attempt', () => {
    // Prepare
    const id = runIdFor('a'.repeat(24), { type: 'manual', token: 't' });

    // Act
    const value = startedBy('s'.repeat(10), id, 999);

    // Assess
    expect(value.length).toBeLessThanOrEqual(128);
    expect(parseStartedBy(value)).toEqual({ stage: 's'.repeat(10), runId: id, attempt: 999 });
  });
});

describe('Function: clientTokenFor', () => {
  it('is 64 characters, stable per attempt and capacity, and different otherwise', () => {
    // Act
    const t1 = clientTokenFor('dev', 'job-x', 1, 'FARGATE_SPOT');

    // Assess
    expect(t1).toMatch(/^[0-9a-f]{64}$/);
    expect(clientTokenFor('dev', 'job-x', 1, 'FARGATE_SPOT')).toBe(t1);
    expect(clientTokenFor('dev', 'job-x', 2, 'FARGATE_SPOT')).not.toBe(t1);
    expect(clientTokenFor('dev', 'job-x', 1, 'FARGATE')).not.toBe(t1);
    expect(clientTokenFor('prod', 'job-x', 1, 'FARGATE_SPOT')).not.toBe(t1);
  });
});
