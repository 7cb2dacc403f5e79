/** STS, for `longshore doctor`: the account of the caller's credentials. */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { awsCheck } from '../errors.ts';
import type { CallerPort } from '../ports.ts';

export const buildCaller = (sts: STSClient): CallerPort => ({
  accountId: async () => {
    const out = await awsCheck('sts:GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({})));
    return out.Account ?? '';
  },
});
