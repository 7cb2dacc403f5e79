/**
 * Lambda, from outside the service: the account's concurrency for `longshore doctor`
 * (GetAccountSettings gives the applied value and the unreserved part), and the CLI's call of a
 * stage's control function.
 */
import { GetAccountSettingsCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
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

  invoke: async (functionName, payload) => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
    );
    const answer: unknown = out.Payload ? JSON.parse(new TextDecoder().decode(out.Payload)) : undefined;
    return { payload: answer, ...(out.FunctionError ? { functionError: out.FunctionError } : {}) };
  },
});
