/** A Lambda context for invoking handlers in tests: the tests' account and Region, a fixed request id. */
import type { Context } from 'aws-lambda';
import { lambdaContext as contextFor } from '../../lib/local/lambdaContext.ts';
import { TEST_ACCOUNT, TEST_REGION } from './environment.ts';

export const lambdaContext = (functionName = 'longshore-test-fn'): Context =>
  contextFor({
    functionName,
    region: TEST_REGION,
    account: TEST_ACCOUNT,
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logStreamName: '2026/11/22/[$LATEST]abcdef',
    remainingMs: 30_000,
  });
