/**
 * Secret references: what ECS gets as `valueFrom` and what the task execution role must be allowed
 * to read. Only references (names and ARNs) ever exist here; values are fetched by ECS at task start.
 *
 * - SSM parameter: a name (`/app/token`, same Region) or a full parameter ARN.
 * - Secrets Manager: the secret's full ARN (with the 6-character suffix Secrets Manager adds),
 *   plus optional JSON key and version stage or version id, rendered as
 *   `arn:...:secret:name-AbCdEf:json-key:version-stage:version-id` with every colon kept.
 */
import { MAIN_CONTAINER_NAME } from '../domain/names.ts';
import { arnPattern, localArn } from './arn.ts';
import type { Job, SecretRef } from './schema.ts';

export interface ResolvedSecret {
  /** `valueFrom` for the container definition. */
  valueFrom: string;
  /** The resource the execution role needs `action` on. */
  resource: string;
  action: 'ssm:GetParameters' | 'secretsmanager:GetSecretValue';
  kmsKey?: string;
}

const SSM_NAME = /^\/?[A-Za-z0-9_.\-/]{1,1011}$/;
const SSM_ARN = arnPattern('ssm', 'parameter/[A-Za-z0-9_.\\-/]+');
const SM_ARN = arnPattern('secretsmanager', 'secret:[A-Za-z0-9/_+=.@-]+');
const SM_FULL_ARN = arnPattern('secretsmanager', 'secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}');
export const KMS_KEY_ARN = arnPattern('kms', 'key/[A-Za-z0-9-]+');
const VERSION_ID = /^[A-Za-z0-9-]{32,64}$/;

/** Problems with one reference, each a sentence fragment naming what is allowed; [] when valid. */
export const secretRefProblems = (ref: SecretRef): string[] => {
  const problems: string[] = [];
  if (ref.kmsKey !== undefined && !KMS_KEY_ARN.test(ref.kmsKey)) {
    problems.push(
      `kmsKey '${ref.kmsKey}' must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases cannot be granted kms:Decrypt`,
    );
  }
  if ('ssm' in ref) {
    if (ref.ssm.startsWith('arn:')) {
      if (!SSM_ARN.test(ref.ssm))
        problems.push(`'${ref.ssm}' is not an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>)`);
    } else if (!SSM_NAME.test(ref.ssm) || ref.ssm.includes('//')) {
      problems.push(`'${ref.ssm}' is not an SSM parameter name (letters, digits, _ . - /; e.g. /myapp/db-password)`);
    }
    return problems;
  }
  const arn = ref.secretsManager;
  if (!arn.startsWith('arn:')) {
    problems.push(
      `'${arn}' is a name, but ECS needs the secret's full ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>)`,
    );
  } else if (!SM_ARN.test(arn)) {
    problems.push(
      `'${arn}' is not a Secrets Manager secret ARN; put a JSON key, version stage or version id in jsonKey, versionStage or versionId, not in the ARN`,
    );
  } else if (!SM_FULL_ARN.test(arn)) {
    problems.push(
      `'${arn}' looks like a partial ARN: ECS needs the full ARN including the 6-character suffix (e.g. ...:secret:prod/db-AbCdEf)`,
    );
  }
  if (ref.versionStage !== undefined && ref.versionId !== undefined) {
    problems.push('give versionStage or versionId, not both');
  }
  if (ref.versionId !== undefined && !VERSION_ID.test(ref.versionId)) {
    problems.push(`versionId '${ref.versionId}' is not a Secrets Manager version id (32-64 letters, digits, -)`);
  }
  for (const [field, value] of [
    ['jsonKey', ref.jsonKey],
    ['versionStage', ref.versionStage],
  ] as const) {
    if (value !== undefined && (value === '' || value.includes(':')))
      problems.push(`${field} must be non-empty and contain no ':'`);
  }
  return problems;
};

const ssmArn = (nameOrArn: string): string =>
  nameOrArn.startsWith('arn:')
    ? nameOrArn
    : localArn('ssm', `parameter${nameOrArn.startsWith('/') ? '' : '/'}${nameOrArn}`);

/**
 * Resolves a valid reference (check `secretRefProblems` first).
 *
 * @example resolveSecret({ secretsManager: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf', jsonKey: 'password' }).valueFrom
 * // 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf:password::'
 */
export const resolveSecret = (ref: SecretRef): ResolvedSecret => {
  const kms = ref.kmsKey !== undefined ? { kmsKey: ref.kmsKey } : {};
  if ('ssm' in ref) {
    const arn = ssmArn(ref.ssm);
    return { valueFrom: arn, resource: arn, action: 'ssm:GetParameters', ...kms };
  }
  const { secretsManager: arn, jsonKey, versionStage, versionId } = ref;
  const selects = jsonKey !== undefined || versionStage !== undefined || versionId !== undefined;
  const valueFrom = selects ? `${arn}:${jsonKey ?? ''}:${versionStage ?? ''}:${versionId ?? ''}` : arn;
  return { valueFrom, resource: arn, action: 'secretsmanager:GetSecretValue', ...kms };
};

/** IAM resource for a secret the Lambdas read by name or ARN (an alert webhook URL). */
export const secretReadResource = (nameOrArn: string): string =>
  nameOrArn.startsWith('arn:') ? nameOrArn : localArn('secretsmanager', `secret:${nameOrArn}-??????`);

/** Every secret reference of a job: the container (`main` or a sidecar's name) and variable it fills. */
export const jobSecretRefs = (job: Job): { container: string; env: string; ref: SecretRef }[] => [
  ...Object.entries(job.container.secrets).map(([env, ref]) => ({ container: MAIN_CONTAINER_NAME, env, ref })),
  ...job.sidecars.flatMap((s) => Object.entries(s.secrets).map(([env, ref]) => ({ container: s.name, env, ref }))),
];
