/** The environment of a stage in the tests' fake account (111122223333, eu-west-1): test/setup.ts. */
import type { EnvName } from '../../lib/config.ts';
import { type NetworkVariable, stackEnvironment } from '../../lib/local/environment.ts';

export const TEST_ACCOUNT = '111122223333';
export const TEST_REGION = 'eu-west-1';

export const testEnvironment = (
  stage: string,
  opts: { networks: Record<string, NetworkVariable>; runTaskRate: number },
): Record<EnvName, string> => stackEnvironment({ stage, region: TEST_REGION, account: TEST_ACCOUNT, ...opts });
