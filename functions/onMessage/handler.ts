import { acceptMessages } from '../../lib/acceptEvent.ts';
import { parseQueues } from '../../lib/config.ts';
import { queueBatch } from '../../lib/contracts/customEvents.ts';
import { createHandler, parseEvent } from '../../lib/handler.ts';
import type { CoreDeps } from '../../lib/ports.ts';
import { coreDeps } from '../../lib/wiring.ts';

/**
 * The sqs triggers' queues -> one queued run per message and job; the messages that could not become
 * runs come back as the partial batch response (received again, then the queue's dead-letter queue).
 */
export const buildHandler = (deps: CoreDeps, queues: ReadonlyMap<string, string>) =>
  createHandler(
    { name: 'onMessage', parse: (e) => parseEvent(queueBatch, e, 'SQS event'), metrics: deps.metrics },
    async (event) => {
      const { batchItemFailures } = await acceptMessages(deps, event.Records, (arn) => queues.get(arn));
      return { batchItemFailures };
    },
  );

export const handler = buildHandler(coreDeps(), parseQueues(process.env.LONGSHORE_QUEUES));
