/** ECR, read-only, for `longshore doctor`: whether a job's image exists. */
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { awsCheck } from '../errors.ts';

export type ImageState = 'found' | 'no-repository' | 'no-image';
export type ImagesPort = ReturnType<typeof buildImageInspector>;

export const buildImageInspector = (ecr: ECRClient) => ({
  image: async (repository: string, ref: { tag?: string; digest?: string }): Promise<ImageState> => {
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

export const imageInspector = (region: string) => buildImageInspector(new ECRClient({ region }));
