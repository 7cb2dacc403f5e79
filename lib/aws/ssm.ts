/**
 * SSM Parameter Store, read-only, for `longshore doctor`: which parameters exist. Values are kept
 * only for String and StringList parameters (the stage parameters: subnet and security group ids);
 * a SecureString's value is never requested decrypted and never kept.
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsCheck } from '../errors.ts';

export interface FoundParameter {
  type: string;
  /** Only for String and StringList parameters. */
  value?: string;
}

export type SsmParametersPort = ReturnType<typeof buildSsmParameters>;

/** GetParameters takes at most 10 names per call (SSM API Reference, GetParameters, Names). */
const BATCH = 10;

export const buildSsmParameters = (ssm: SSMClient) => ({
  /** Parameters by name or ARN: the found ones by the name asked, and the missing ones. */
  getParameters: async (names: string[]): Promise<{ found: Map<string, FoundParameter>; missing: string[] }> => {
    const found = new Map<string, FoundParameter>();
    const missing: string[] = [];
    const unique = [...new Set(names)];
    for (let i = 0; i < unique.length; i += BATCH) {
      const batch = unique.slice(i, i + BATCH);
      const out = await awsCheck('ssm:GetParameters', () =>
        ssm.send(new GetParametersCommand({ Names: batch, WithDecryption: false })),
      );
      missing.push(...(out.InvalidParameters ?? []));
      for (const p of out.Parameters ?? []) {
        const asked = batch.find((n) => n === p.Name || n === p.ARN) ?? p.Name ?? '';
        const type = p.Type ?? 'String';
        found.set(asked, type === 'SecureString' ? { type } : { type, value: p.Value ?? '' });
      }
    }
    return { found, missing };
  },
});

export const ssmParameters = (region: string) => buildSsmParameters(new SSMClient({ region }));
