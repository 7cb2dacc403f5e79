/** Builders of realistic events, from the AWS-published samples in ../shared/events and events/. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNotificationKey } from '../../lib/domain/s3Key.ts';
import { SETTINGS } from './fakes.ts';

/** AWS-published samples, copied from ../shared/events with their SOURCES.md so a clone is self-contained. */
const AWS_SAMPLES = join(import.meta.dirname, '..', 'fixtures', 'aws-events');
const OWN = join(import.meta.dirname, '..', '..', 'events');

/** A sample event by file name: ours in events/, else AWS's in test/fixtures/aws-events/. Always a fresh copy. */
export const loadEvent = <T = Record<string, unknown>>(name: string): T => {
  const file = name.endsWith('.json') ? name : `${name}.json`;
  for (const dir of [OWN, AWS_SAMPLES]) {
    try {
      return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new Error(`No sample event ${file} in events/ or test/fixtures/aws-events/`);
};

/** An EventBridge "Object Created" event for a key, from the AWS documentation sample. */
export const objectCreated = (
  bucket: string,
  key: string,
  opts: { sequencer?: string; versionId?: string; size?: number } = {},
) => {
  const e = loadEvent<{ detail: { bucket: { name: string }; object: Record<string, unknown> }; resources: string[] }>(
    's3-eventbridge-object-created.awsdocs',
  );
  e.detail.bucket.name = bucket;
  e.resources = [`arn:aws:s3:::${bucket}`];
  e.detail.object.key = key;
  e.detail.object.sequencer = opts.sequencer ?? '617f08299329d189';
  if (opts.versionId === undefined) delete e.detail.object['version-id'];
  else e.detail.object['version-id'] = opts.versionId;
  if (opts.size !== undefined) e.detail.object.size = opts.size;
  return e;
};

/** A classic S3 notification with one record per key (keys form-URL-encoded as S3 sends them). */
export const classicNotification = (bucket: string, keys: string[], eventName = 'ObjectCreated:Put') => {
  const sample = loadEvent<{ Records: Record<string, unknown>[] }>('s3-notification-put.awsdocs');
  const template = sample.Records[0] as {
    s3: { bucket: Record<string, unknown>; object: Record<string, unknown> };
  } & Record<string, unknown>;
  return {
    Records: keys.map((key, i) => {
      const r = structuredClone(template);
      r.eventName = eventName;
      r.s3.bucket.name = bucket;
      r.s3.bucket.arn = `arn:aws:s3:::${bucket}`;
      r.s3.object.key = encodeNotificationKey(key);
      r.s3.object.sequencer = `0055AED6DCD90281E${i}`;
      return r;
    }),
  };
};

/**
 * A sample task event (events/ecs-task-*.json) retargeted at one attempt of one run in a stage, on
 * the test cluster (the tracker ignores events of other clusters).
 */
export const taskEvent = (
  name: string,
  target: { runId: string; attempt: number; taskArn: string; stage?: string; clusterArn?: string },
) => {
  const e = loadEvent<{
    resources: string[];
    detail: Record<string, unknown> & { containers: Record<string, unknown>[] };
  }>(name);
  e.resources = [target.taskArn];
  e.detail.taskArn = target.taskArn;
  e.detail.clusterArn = target.clusterArn ?? SETTINGS.clusterArn;
  e.detail.startedBy = `longshore/${target.stage ?? 'test'}/${target.runId}/${target.attempt}`;
  for (const c of e.detail.containers) c.taskArn = target.taskArn;
  return e;
};
