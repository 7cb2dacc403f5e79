import { MESSAGE_FUNCTION_TIMEOUT_SECONDS } from '../../lib/domain/eventTrigger.ts';
import type { CfnValue } from '../../lib/infra/cfn.ts';
import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';
import { catalogQueueKeys, catalogQueues, queuesEnvironment } from '../../lib/infra/queues.ts';

/**
 * Messages on the user's queues of the catalog's `sqs` triggers: one event source mapping per queue
 * (lib/infra/triggers.ts),
 * partial batch responses, so a message that cannot become a run is received again and then
 * dead-lettered by that queue's own redrive policy (the user's queue: its maxReceiveCount and DLQ).
 */
const config: FunctionConfig = (ctx) => {
  const queues = catalogQueues(ctx.catalog);
  const keys = catalogQueueKeys(ctx.catalog);
  return {
    handler: 'functions/onMessage/handler.handler',
    description: 'SQS messages of sqs triggers -> one run per identity (conditional create), queued for launch',
    timeout: MESSAGE_FUNCTION_TIMEOUT_SECONDS,
    async: false,
    // acceptMessages -> acceptRuns -> createRun
    storeMethods: ['createRun'],
    environment: { LONGSHORE_QUEUES: queuesEnvironment(ctx.catalog) } satisfies Record<string, CfnValue>,
    // The event source mappings are the stack's own resources (lib/infra/triggers.ts, queueMappings):
    // the Serverless sqs event cannot name a queue whose ARN is a parameter or holds pseudo parameters.
    statements: [
      grants.enqueueLaunch(),
      ...(queues.length > 0 ? [grants.consumeQueues(queues.map((q) => q.arn))] : []),
      ...(keys.length > 0 ? [grants.decryptQueues(keys)] : []),
    ],
  };
};
export default config;
