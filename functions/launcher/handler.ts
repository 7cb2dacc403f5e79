import { ecs } from '../../lib/aws/ecs.ts';
import { parseNetworks } from '../../lib/aws/networks.ts';
import { getNumberEnv } from '../../lib/config.ts';
import { launchMessage } from '../../lib/contracts/launch.ts';
import { sqsEvent } from '../../lib/contracts/sqs.ts';
import { createRateLimiter } from '../../lib/domain/rateLimiter.ts';
import { createHandler, parseEvent } from '../../lib/handler.ts';
import { launchBatch } from '../../lib/launch.ts';
import { coreDeps } from '../../lib/wiring.ts';

const rate = getNumberEnv('LONGSHORE_RUN_TASK_RATE');
const limiter = createRateLimiter({
  ratePerSecond: rate,
  burst: rate,
  now: Date.now,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
});
const deps = {
  ...coreDeps(),
  ecs,
  networks: parseNetworks(process.env.LONGSHORE_NETWORKS),
  pace: limiter.acquire,
  random: Math.random,
};

/** The launch queue's consumer: partial batch responses, so one bad message never holds up the rest. */
export const handler = createHandler(
  { name: 'launcher', parse: (e) => parseEvent(sqsEvent, e, 'SQS event') },
  async (event) => {
    const { batchItemFailures } = await launchBatch(
      deps,
      event.Records.map((r) => ({ messageId: r.messageId, body: r.body })),
      (body) => parseEvent(launchMessage, JSON.parse(body), 'launch message'),
    );
    return { batchItemFailures };
  },
);
