/**
 * Secrets Manager, read-only, for `longshore doctor`: a secret's versions and, where a JSON key is
 * referenced, the key names of its value. The value itself is parsed and dropped inside this
 * function: only the set of keys leaves it, and nothing is logged. (`secrets.ts` is the Lambdas'
 * caching provider for the one secret they read; this adapter is the CLI's.)
 */
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsCheck } from '../errors.ts';

export interface SecretVersions {
  arn: string;
  /** Version id to its staging labels (AWSCURRENT, AWSPREVIOUS, ...). */
  versions: Record<string, string[]>;
}

export type SecretShape = { kind: 'json'; keys: string[] } | { kind: 'text' } | { kind: 'binary' };

export type SecretsInspectorPort = ReturnType<typeof buildSecretsInspector>;

const notFound = (e: unknown) => (e as Error).name === 'ResourceNotFoundException';

export const buildSecretsInspector = (sm: SecretsManagerClient) => ({
  /** The secret's versions, or undefined when it does not exist. */
  describe: async (secretId: string): Promise<SecretVersions | undefined> => {
    try {
      const out = await awsCheck('secretsmanager:DescribeSecret', () =>
        sm.send(new DescribeSecretCommand({ SecretId: secretId })),
      );
      return { arn: out.ARN ?? secretId, versions: out.VersionIdsToStages ?? {} };
    } catch (e) {
      if (notFound((e as { cause?: unknown }).cause)) return undefined;
      throw e;
    }
  },

  /** The shape of one version's value (JSON keys only), or undefined when that version does not exist. */
  shape: async (
    secretId: string,
    select: { versionStage?: string; versionId?: string },
  ): Promise<SecretShape | undefined> => {
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
      if (notFound((e as { cause?: unknown }).cause)) return undefined;
      throw e;
    }
  },
});

export const secretsInspector = (region: string) => buildSecretsInspector(new SecretsManagerClient({ region }));
