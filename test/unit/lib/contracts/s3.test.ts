import { describe, expect, it } from 'vitest';
import { parseUploads } from '../../../../lib/contracts/s3.ts';
import { InvalidEventError } from '../../../../lib/errors.ts';
import { classicNotification, loadEvent, objectCreated } from '../../../helpers/events.ts';

const problemsOf = (event: unknown): readonly string[] => {
  try {
    parseUploads(event);
  } catch (e) {
    if (e instanceof InvalidEventError) return e.problems;
    throw e;
  }
  return [];
};

describe('Function: parseUploads', () => {
  it('reads the AWS documentation EventBridge sample (versioned bucket)', () => {
    // Act
    const out = parseUploads(loadEvent('s3-eventbridge-object-created.awsdocs'));

    // Assess
    expect(out.objects).toEqual([
      {
        bucket: 'DOC-EXAMPLE-BUCKET1',
        key: 'example-key',
        versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
        sequencer: '617f08299329d189',
        etag: 'b1946ac92492d2347c6235b4d2611184',
        size: 5,
        eventTime: '2021-11-12T00:00:00Z',
      },
    ]);
  });

  it('accepts an EventBridge event without version-id (unversioned bucket) and keeps its key as delivered', () => {
    // Act
    const out = parseUploads(loadEvent('s3-object-created'));

    // Assess
    expect(out.objects[0]).toMatchObject({ key: 'uploads/2026/11/cat on sofa.jpg', sequencer: '00673FA1B2C3D4E5F6' });
    expect(out.objects[0]?.versionId).toBeUndefined();
  });

  it('decodes classic notification keys: + is a space, %2B a plus, %3A a colon', () => {
    // Act
    const out = parseUploads(loadEvent('s3-notification'));

    // Assess
    expect(out.objects.map((o) => o.key)).toEqual([
      'uploads/holiday/red flower + sun:1.jpg',
      'uploads/holiday/notes.txt',
    ]);
  });

  it('reads the AWS documentation classic sample', () => {
    // Act
    const out = parseUploads(loadEvent('s3-notification-put.awsdocs'));

    // Assess
    expect(out.objects).toEqual([
      {
        bucket: 'mybucket',
        key: 'HappyFace.jpg',
        versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
        sequencer: '0055AED6DCD90281E5',
        etag: 'd41d8cd98f00b204e9800998ecf8427e',
        size: 1024,
        eventTime: '1970-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('ignores records that are not uploads, and the S3 test event, saying why', () => {
    // Act
    const removed = parseUploads(classicNotification('b', ['a.txt'], 'ObjectRemoved:Delete'));
    const test = parseUploads({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2026-11-22T00:00:00Z',
      Bucket: 'b',
    });

    // Assess
    expect(removed).toEqual({ objects: [], ignored: ['Records[0]: ObjectRemoved:Delete is not an upload'] });
    expect(test).toEqual({ objects: [], ignored: ['s3:TestEvent'] });
  });

  it.each([
    ['a missing key', loadEvent('s3-malformed'), 'detail.object.key: is required (string)'],
    ['a wrong source', { ...objectCreated('b', 'k'), source: 'aws.ec2' }, 'source: must be "aws.s3"'],
    ['an empty Records list', { Records: [] }, 'Records: Too small: expected array to have >=1 items'],
    [
      'a record without s3',
      { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }] },
      'Records[0].s3: is required (object)',
    ],
    [
      'a key that is not URL encoding',
      classicNotification('b', ['x']).Records.map((r) => ({
        ...r,
        s3: { ...r.s3, object: { ...r.s3.object, key: 'bad%zz' } },
      })),
      'is not valid URL encoding',
    ],
    ['not an object', 'hello', 'expected object, got string'],
  ])('rejects %s with a message naming the field', (_name, event, message) => {
    // Prepare
    const input = Array.isArray(event) ? { Records: event } : event;

    // Act
    const problems = problemsOf(input);

    // Assess
    expect(problems.join('\n')).toContain(message);
  });
});
