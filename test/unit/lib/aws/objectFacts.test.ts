/** `trigger --object` on a stage: what HeadObject says of the object, and no such object. */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { objectFacts } from '../../../../lib/aws/s3.ts';

const s3Mock = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1' });

beforeEach(() => {
  s3Mock.reset();
});

describe('Function: objectFacts', () => {
  it('answers the version id, the ETag without its quotes and the size', async () => {
    // Prepare
    s3Mock
      .on(HeadObjectCommand, { Bucket: 'acme-partner-drop', Key: 'incoming/a.csv' })
      .resolves({ VersionId: 'v1', ETag: '"9b2cf535f27731c974343645a3985328"', ContentLength: 12 });

    // Act
    const facts = await objectFacts(client, 'acme-partner-drop', 'incoming/a.csv');

    // Assess
    expect(facts).toEqual({ versionId: 'v1', etag: '9b2cf535f27731c974343645a3985328', size: 12 });
  });

  it('answers undefined when there is no such object, and throws other errors', async () => {
    // Prepare
    s3Mock
      .on(HeadObjectCommand)
      .rejectsOnce(Object.assign(new Error('NotFound'), { name: 'NotFound' }))
      .rejectsOnce(Object.assign(new Error('Forbidden'), { name: 'Forbidden' }));

    // Act / Assess
    expect(await objectFacts(client, 'acme-partner-drop', 'incoming/none.csv')).toBeUndefined();
    await expect(objectFacts(client, 'acme-partner-drop', 'incoming/x.csv')).rejects.toThrow('Forbidden');
  });
});
