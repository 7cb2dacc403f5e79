/**
 * S3 "object created" events in both shapes AWS delivers, validated at the edge and normalised to
 * one `UploadedObject` each. Parsing is lenient about fields AWS may add, strict about the ones we use.
 */
import type { UploadedObject } from '../domain/run.ts';
import { decodeNotificationKey, s3KeyProblem } from '../domain/s3Key.ts';
import { InvalidEventError } from '../errors.ts';
import * as v from './schema.ts';

const nonEmpty = v.string().min(1);

export const eventBridgeObjectCreated = v.looseObject({
  source: v.literal('aws.s3'),
  'detail-type': v.literal('Object Created'),
  time: v.string().optional(),
  detail: v.looseObject({
    bucket: v.looseObject({ name: nonEmpty }),
    object: v.looseObject({
      key: nonEmpty,
      size: v.number().optional(),
      etag: v.string().optional(),
      // Absent on unversioned buckets (the @types/aws-lambda type wrongly requires it).
      'version-id': v.string().optional(),
      sequencer: v.string().optional(),
    }),
  }),
});

const classicRecord = v.looseObject({
  eventSource: v.literal('aws:s3'),
  eventName: nonEmpty,
  eventTime: v.string().optional(),
  s3: v.looseObject({
    bucket: v.looseObject({ name: nonEmpty }),
    object: v.looseObject({
      key: nonEmpty,
      size: v.number().optional(),
      eTag: v.string().optional(),
      versionId: v.string().nullish(),
      sequencer: v.string().optional(),
    }),
  }),
});

export const classicNotification = v.looseObject({ Records: v.array(classicRecord).min(1) });

/** The event S3 sends once when a notification configuration is saved. */
const testEvent = v.looseObject({ Event: v.literal('s3:TestEvent') });

export interface ParsedUploads {
  objects: UploadedObject[];
  /** Records that are valid S3 events but not uploads (e.g. ObjectRemoved), with why. */
  ignored: string[];
}

/**
 * Parses either shape; throws InvalidEventError naming what is wrong.
 *
 * @example parseUploads(event).objects[0]?.key // 'uploads/red flower.jpg'
 */
export const parseUploads = (event: unknown): ParsedUploads => {
  if (testEvent.safeParse(event).success) return { objects: [], ignored: ['s3:TestEvent'] };
  const isClassic = typeof event === 'object' && event !== null && 'Records' in event;
  if (isClassic) {
    const parsed = classicNotification.safeParse(event);
    if (!parsed.success) throw new InvalidEventError('S3 notification', v.problemSentences(parsed.error));
    const objects: UploadedObject[] = [];
    const ignored: string[] = [];
    const problems: string[] = [];
    parsed.data.Records.forEach((r, i) => {
      if (!r.eventName.startsWith('ObjectCreated:')) {
        ignored.push(`Records[${i}]: ${r.eventName} is not an upload`);
        return;
      }
      const key = decodeNotificationKey(r.s3.object.key);
      if (key === undefined) {
        problems.push(`Records[${i}].s3.object.key: '${r.s3.object.key}' is not valid URL encoding`);
        return;
      }
      const keyProblem = s3KeyProblem(key);
      if (keyProblem) {
        problems.push(`Records[${i}].s3.object.key: ${keyProblem}`);
        return;
      }
      objects.push({
        bucket: r.s3.bucket.name,
        key,
        ...(r.s3.object.versionId ? { versionId: r.s3.object.versionId } : {}),
        ...(r.s3.object.sequencer ? { sequencer: r.s3.object.sequencer } : {}),
        ...(r.s3.object.eTag ? { etag: r.s3.object.eTag } : {}),
        ...(r.s3.object.size !== undefined ? { size: r.s3.object.size } : {}),
        ...(r.eventTime ? { eventTime: r.eventTime } : {}),
      });
    });
    if (problems.length > 0) throw new InvalidEventError('S3 notification', problems);
    return { objects, ignored };
  }
  const parsed = eventBridgeObjectCreated.safeParse(event);
  if (!parsed.success) throw new InvalidEventError('S3 "Object Created" event', v.problemSentences(parsed.error));
  const { bucket, object } = parsed.data.detail;
  const keyProblem = s3KeyProblem(object.key);
  if (keyProblem) throw new InvalidEventError('S3 "Object Created" event', [`detail.object.key: ${keyProblem}`]);
  return {
    objects: [
      {
        bucket: bucket.name,
        key: object.key,
        ...(object['version-id'] ? { versionId: object['version-id'] } : {}),
        ...(object.sequencer ? { sequencer: object.sequencer } : {}),
        ...(object.etag ? { etag: object.etag } : {}),
        ...(object.size !== undefined ? { size: object.size } : {}),
        ...(parsed.data.time ? { eventTime: parsed.data.time } : {}),
      },
    ],
    ignored: [],
  };
};
