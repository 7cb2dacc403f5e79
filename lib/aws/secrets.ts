/**
 * Secrets Manager: the one adapter of the service, for its two readers, which cannot be one.
 * - The Lambdas read one secret's value, an alert route's webhook URL, through Powertools' caching
 *   provider (5 minutes), never logged. Tests call `clearCaches()` from '@aws-lambda-powertools/parameters'.
 * - `longshore doctor` reads, with a client of the Region it checks, a secret's versions and the
 *   shape of one version's value: the value is parsed and dropped inside `shape`, only the key
 *   names of a JSON value leave it, nothing is cached or logged.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { awsCheck } from '../errors.ts';
import type { SecretInspectorPort } from '../ports.ts';

export const WEBHOOK_CACHE_SECONDS = 300;

export const readSecretString = async (nameOrArn: string): Promise<string> => {
  const value = await getSecret(nameOrArn, { maxAge: WEBHOOK_CACHE_SECONDS });
  if (typeof value !== 'string' || value === '') throw new Error(`Secret ${nameOrArn} has no SecretString`);
  return value.trim();
};

const notFound = (e: unknown) =>
  ((e as { cause?: unknown }).cause as Error | undefined)?.name === 'ResourceNotFoundException';

export const buildSecretInspector = (sm: SecretsManagerClient): SecretInspectorPort => ({
  versions: async (secretId) => {
    try {
      const out = await awsCheck('secretsmanager:DescribeSecret', () =>
        sm.send(new DescribeSecretCommand({ SecretId: secretId })),
      );
      return { arn: out.ARN ?? secretId, versions: out.VersionIdsToStages ?? {} };
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
  },

  shape: async (secretId, select) => {
    try {
      const out = await awsCheck('secretsmanager:GetSecretValue', () =>
        sm.send(
          new GetSecretValueCommand({
            SecretId: secretId,
            ...(select.versionStage ? { VersionStage: select.versionStage } : {}),
            ...(select.versionId ? { VersionId: select.versionId } : {}),
          }),
        ),
      );
      if (out.SecretString === undefined) return { kind: 'binary' };
      let parsed: unknown;
      try {
        parsed = JSON.parse(out.SecretString);
      } catch {
        return { kind: 'text' };
      }
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? { kind: 'json', keys: Object.keys(parsed).sort() }
        : { kind: 'text' };
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
  },
});
