/** Lambda, for `longshore doctor`: the account's concurrency (GetAccountSettings gives the applied value and the unreserved part). */
import { GetAccountSettingsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { awsCheck } from '../errors.ts';
import type { LambdaPort } from '../ports.ts';

export const buildLambda = (lambda: LambdaClient): LambdaPort => ({
  concurrency: async () => {
    const out = await awsCheck('lambda:GetAccountSettings', () => lambda.send(new GetAccountSettingsCommand({})));
    return {
      total: out.AccountLimit?.ConcurrentExecutions ?? 0,
      unreserved: out.AccountLimit?.UnreservedConcurrentExecutions ?? 0,
    };
  },
});
