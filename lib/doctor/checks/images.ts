/** Every ECR image the jobs run is in ECR. */
import { MAIN_CONTAINER_NAME } from '../../domain/names.ts';
import type { DoctorPorts } from '../../ports.ts';
import { add, type CheckContext } from '../context.ts';

export const checkImages = async (ctx: CheckContext, ports: Pick<DoctorPorts, 'images'>): Promise<string> => {
  const region = ctx.input.region;
  const registry = `${ctx.account}.dkr.ecr.${region}.amazonaws.com`;
  let n = 0;
  for (const job of ctx.input.catalog.jobs) {
    for (const [container, c] of [
      [MAIN_CONTAINER_NAME, job.container],
      ...job.sidecars.map((s) => [s.name, s] as const),
    ] as const) {
      if (typeof c.image !== 'object') continue;
      n++;
      const { ecr: repository, tag, digest } = c.image;
      const ref = digest ? `@${digest}` : `:${tag ?? 'latest'}`;
      const state = await ports.images.image(repository, { ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) });
      if (state === 'found') continue;
      add(ctx, {
        check: 'images',
        severity: 'blocking',
        subject: `job '${job.name}' ${container}`,
        what:
          state === 'no-repository'
            ? `ECR repository ${repository} does not exist in ${region}`
            : `image ${repository}${ref} is not in ECR`,
        why: 'the task stops with CannotPullContainerError ("not found") and the run fails at once (rule image-not-pullable)',
        fix:
          state === 'no-repository'
            ? `aws ecr create-repository --region ${region} --repository-name ${repository}  (then push the image)`
            : `aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${registry} && docker push ${registry}/${repository}${ref}`,
      });
    }
  }
  return n ? `${n} ECR images` : 'no ECR images';
};
