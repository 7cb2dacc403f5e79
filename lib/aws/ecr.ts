/** ECR, read-only, for `longshore doctor`: whether a job's image exists. */
import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { awsCheck } from '../errors.ts';
import type { ImagesPort } from '../ports.ts';

export const buildImages = (ecr: ECRClient): ImagesPort => ({
  image: async (repository, ref) => {
    try {
      await awsCheck('ecr:DescribeImages', () =>
        ecr.send(
          new DescribeImagesCommand({
            repositoryName: repository,
            imageIds: [ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' }],
          }),
        ),
      );
      return 'found';
    } catch (e) {
      const name = ((e as { cause?: unknown }).cause as Error | undefined)?.name;
      if (name === 'RepositoryNotFoundException') return 'no-repository';
      if (name === 'ImageNotFoundException') return 'no-image';
      throw e;
    }
  },
});
