import { describe, expect, it } from 'vitest';
import { decodeNotificationKey, encodeNotificationKey } from '../../../../lib/domain/s3Key.ts';
import { jobsForObject, matchesTrigger } from '../../../../lib/domain/s3Match.ts';
import { exampleCatalog } from '../../../helpers/catalogs.ts';

describe('Function: decodeNotificationKey', () => {
  it.each([
    ['red+flower.jpg', 'red flower.jpg'],
    ['a%2Bb.jpg', 'a+b.jpg'],
    ['dt%3D2026-11-22/part%3A1', 'dt=2026-11-22/part:1'],
    ['caf%C3%A9.png', 'café.png'],
    ['plain/key.txt', 'plain/key.txt'],
  ])('decodes %s as %s', (encoded, key) => {
    // Act & Assess
    expect(decodeNotificationKey(encoded)).toBe(key);
  });

  it('returns undefined for broken percent-encoding', () => {
    // Act & Assess
    expect(decodeNotificationKey('bad%zz')).toBeUndefined();
  });

  it.each(['a b+c.jpg', 'x/y=z:1 2', 'ünïcode.txt'])('round-trips %s through encode and decode', (key) => {
    // Act & Assess
    expect(decodeNotificationKey(encodeNotificationKey(key))).toBe(key);
  });
});

describe('Function: jobsForObject', () => {
  it.each([
    ['acme-media-uploads', 'uploads/a.jpg', ['thumbnails']],
    ['acme-media-uploads', 'uploads/deep/a.jpeg', ['thumbnails']],
    ['acme-media-uploads', 'uploads/a.png', []],
    ['acme-media-uploads', 'other/a.jpg', []],
    ['acme-partner-drop', 'incoming/x.csv', ['csv-ingest']],
    ['acme-partner-drop', 'incoming/x.csv.tmp', []],
    ['unknown-bucket', 'uploads/a.jpg', []],
  ])('matches s3://%s/%s to %j', (bucket, key, jobs) => {
    // Act & Assess
    expect(jobsForObject(exampleCatalog(), bucket, key).map((j) => j.name)).toEqual(jobs);
  });

  it('does not let prefix and suffix overlap (the wildcard needs both parts)', () => {
    // Act & Assess
    expect(matchesTrigger({ bucket: 'b', prefix: 'a.csv', suffix: '.csv' }, 'b', 'a.csv')).toBe(false);
    expect(matchesTrigger({ bucket: 'b', prefix: 'a', suffix: '.csv' }, 'b', 'a.csv')).toBe(true);
  });
});
