/** A Lambda context for invoking handlers off AWS: the local flow, `longshore invoke` and the tests. */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface ContextPlace {
  functionName: string;
  region: string;
  account: string;
  /** Default: a fresh UUID per context, as Lambda gives one per invocation. */
  awsRequestId?: string;
  logStreamName?: string;
  remainingMs?: number;
}

export const lambdaContext = (p: ContextPlace): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: p.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${p.region}:${p.account}:function:${p.functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: p.awsRequestId ?? randomUUID(),
  logGroupName: `/aws/lambda/${p.functionName}`,
  logStreamName: p.logStreamName ?? 'local',
  getRemainingTimeInMillis: () => p.remainingMs ?? 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});
