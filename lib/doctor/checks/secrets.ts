/** Every secret a job references exists, with the version and the JSON key the catalog names. */
import type { SecretRef } from '../../catalog/schema.ts';
import { jobSecretRefs, resolveSecret } from '../../catalog/secretRefs.ts';
import type { DoctorPorts } from '../../ports.ts';
import { add, type CheckContext, concrete, shellQuote } from '../context.ts';

export interface SecretUse {
  where: string;
  ref: SecretRef;
  resource: string;
  action: string;
}

/** Each secret reference of the catalog, where it is used, and what the execution role must be allowed. */
export const secretUses = (ctx: CheckContext): SecretUse[] =>
  ctx.input.catalog.jobs.flatMap((job) =>
    jobSecretRefs(job).map(({ container, env, ref }) => {
      const r = resolveSecret(ref);
      return {
        where: `job '${job.name}' ${container} ${env}`,
        ref,
        resource: concrete(ctx, r.resource),
        action: r.action,
      };
    }),
  );

export const checkSecrets = async (
  ctx: CheckContext,
  ports: Pick<DoctorPorts, 'parameters' | 'secrets'>,
): Promise<string> => {
  const uses = secretUses(ctx);
  if (uses.length === 0) return 'the jobs reference no secrets';
  const region = ctx.input.region;
  const ssmUses = uses.filter((u) => 'ssm' in u.ref);
  if (ssmUses.length) {
    const { missing } = await ports.parameters.find(ssmUses.map((u) => u.resource));
    for (const u of ssmUses.filter((x) => missing.includes(x.resource)))
      add(ctx, {
        check: 'secrets',
        severity: 'blocking',
        subject: u.where,
        what: `SSM parameter ${u.resource} does not exist`,
        why: 'ECS fetches it when the task starts: the task stops with ResourceInitializationError ("unable to retrieve secrets from ssm")',
        fix: `aws ssm put-parameter --region ${region} --name ${u.resource.replace(/^arn:[^:]+:ssm:[^:]*:[^:]*:parameter/, '')} --type SecureString --value <the secret>`,
      });
  }
  for (const u of uses) {
    if (!('secretsManager' in u.ref)) continue;
    const { jsonKey, versionStage, versionId } = u.ref;
    const secret = await ports.secrets.versions(u.resource);
    const name = u.resource.replace(/^.*:secret:/, '').replace(/-[A-Za-z0-9]{6}$/, '');
    if (!secret) {
      add(ctx, {
        check: 'secrets',
        severity: 'blocking',
        subject: u.where,
        what: `Secrets Manager secret ${u.resource} does not exist`,
        why: 'ECS fetches it when the task starts: the task stops with ResourceInitializationError ("unable to retrieve secret from asm")',
        fix: `aws secretsmanager create-secret --region ${region} --name ${name} --secret-string <the secret>  (then put the new ARN, with its 6-character suffix, in the catalog)`,
      });
      continue;
    }
    const stages = Object.values(secret.versions).flat();
    if (versionStage && !stages.includes(versionStage)) {
      add(ctx, {
        check: 'secrets',
        severity: 'blocking',
        subject: u.where,
        what: `secret ${u.resource} has no version labelled ${versionStage} (it has ${[...new Set(stages)].join(', ') || 'none'})`,
        why: 'ECS asks for that version stage at task start and the task fails with ResourceInitializationError',
        fix: `aws secretsmanager update-secret-version-stage --region ${region} --secret-id ${u.resource} --version-stage ${versionStage} --move-to-version-id <a version id from: aws secretsmanager list-secret-version-ids --secret-id ${u.resource}>`,
      });
      continue;
    }
    if (versionId && !(versionId in secret.versions)) {
      add(ctx, {
        check: 'secrets',
        severity: 'blocking',
        subject: u.where,
        what: `secret ${u.resource} has no version ${versionId}`,
        why: 'ECS asks for that version id at task start and the task fails with ResourceInitializationError',
        fix: `aws secretsmanager list-secret-version-ids --region ${region} --secret-id ${u.resource}  (then put an existing versionId in the catalog)`,
      });
      continue;
    }
    if (jsonKey === undefined) continue;
    const shape = await ports.secrets.shape(u.resource, {
      ...(versionStage ? { versionStage } : {}),
      ...(versionId ? { versionId } : {}),
    });
    if (shape?.kind !== 'json' || !shape.keys.includes(jsonKey)) {
      const has =
        shape?.kind === 'json'
          ? `its JSON has the keys ${shape.keys.join(', ') || '(none)'}`
          : shape?.kind === 'binary'
            ? 'it is a binary secret (ECS reads only SecretString)'
            : 'its value is not a JSON object';
      add(ctx, {
        check: 'secrets',
        severity: 'blocking',
        subject: u.where,
        what: `secret ${u.resource} has no JSON key '${jsonKey}': ${has}`,
        why: 'ECS extracts the key at task start; a missing key fails the task with ResourceInitializationError',
        fix: `aws secretsmanager put-secret-value --region ${region} --secret-id ${u.resource} --secret-string ${shellQuote(`{"${jsonKey}":"<value>", <the other keys>}`)}  (or fix jsonKey in the catalog)`,
      });
    }
  }
  return `${uses.length} secret references`;
};
