/** Base events for the hostile corpus: the samples in events/, copied so each case can break its own. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const EVENTS = resolve(import.meta.dirname, '..', '..', 'events');

export const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(EVENTS, `${name}.json`), 'utf8')) as Record<string, unknown>;

type Json = Record<string, unknown>;

/** An EventBridge S3 "Object Created" event for `key` in the thumbnails bucket (or `bucket`). */
export const upload = (
  key: unknown,
  change: (e: Json) => void = () => undefined,
  bucket = 'acme-media-uploads',
): Json => {
  const e = sample('s3-object-created');
  const detail = e.detail as Json;
  detail.bucket = { name: bucket };
  (detail.object as Json).key = key;
  change(e);
  return e;
};

/** An SQS batch of launch messages with these bodies (ids m0, m1, ...). */
export const launchBatch = (...bodies: unknown[]): Json => {
  const base = (sample('launch-queue').Records as Json[])[0] as Json;
  return { Records: bodies.map((body, i) => ({ ...base, messageId: `m${i}`, body })) };
};

/** An ECS task state change for a task of ours, changed by `change`. */
export const taskChange = (change: (e: Json, detail: Json) => void): Json => {
  const e = sample('ecs-task-stopped-success');
  change(e, e.detail as Json);
  return e;
};

/** The control function's trigger request for csv-ingest, changed by `change`. */
export const controlTrigger = (change: (r: Json) => void = () => undefined): Json => {
  const r = sample('control-trigger');
  change(r);
  return r;
};

/** A classic S3 notification (the form-URL-encoded key as S3 sends it) for the thumbnails bucket. */
export const classic = (encodedKey: string): Json => ({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventTime: '2026-11-22T09:14:03.000Z',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: 'acme-media-uploads', arn: 'arn:aws:s3:::acme-media-uploads' },
        object: { key: encodedKey, size: 1, eTag: '7d7c8e2f1b9a4c3d5e6f708192a3b4c5', sequencer: '00673FA1B2C3D4E5F7' },
      },
    },
  ],
});

/** The Order Placed event as order-fulfilment's rule delivers it, its event changed by `change`. */
export const orderDelivery = (change: (event: Json, detail: Json) => void = () => undefined): Json => {
  const d = sample('order-placed-delivery');
  const event = d.event as Json;
  change(event, event.detail as Json);
  return d;
};

/** An SQS batch from the orders-resend queue with these bodies (ids q0, q1, ...), each record changed by `change`. */
export const resendBatch = (bodies: unknown[], change: (record: Json, i: number) => void = () => undefined): Json => {
  const base = (sample('orders-resend-queue').Records as Json[])[0] as Json;
  return {
    Records: bodies.map((body, i) => {
      const record = { ...base, messageId: `q${i}`, body };
      change(record, i);
      return record;
    }),
  };
};
