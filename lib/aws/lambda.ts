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

/**
 * Invokes a function asynchronously (InvocationType Event), as EventBridge and Scheduler do: a
 * redriven event then meets the function's own retries and on-failure destination again.
 */
export const invokeAsync = async (lambda: LambdaClient, functionName: string, payload: unknown): Promise<void> => {
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
  if (out.StatusCode !== 202)
    throw new Error(`Lambda answered ${out.StatusCode} to the asynchronous invoke of ${functionName}`);
};
