/**
 * SSM Parameter Store, read-only, for `longshore doctor`: which parameters exist. Values are kept
 * only for String and StringList parameters (the stage parameters: subnet and security group ids);
 * a SecureString's value is never requested decrypted and never kept.
 */
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { awsCheck } from '../errors.ts';
import type { ParameterStorePort, StoredParameter } from '../ports.ts';

/** GetParameters takes at most 10 names per call (SSM API Reference, GetParameters, Names). */
const BATCH = 10;

export const buildParameterStore = (ssm: SSMClient): ParameterStorePort => ({
  find: async (names) => {
    const found = new Map<string, StoredParameter>();
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
