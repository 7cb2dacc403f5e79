import { ecs } from '../../lib/aws/ecs.ts';
import { getNumberEnv, LAUNCHER_ENV, parseNetworks } from '../../lib/config.ts';
import { launchMessage } from '../../lib/contracts/launch.ts';
import { sqsEvent } from '../../lib/contracts/sqs.ts';
import { createRateLimiter } from '../../lib/domain/rateLimiter.ts';
import { createHandler, parseEvent } from '../../lib/handler.ts';
import { launchBatch } from '../../lib/launchBatch.ts';
import type { LaunchDeps } from '../../lib/ports.ts';
import { coreDeps } from '../../lib/wiring.ts';

/** The launch queue's consumer: partial batch responses, so one bad message never holds up the rest. */
export const buildHandler = (deps: LaunchDeps) =>
  createHandler({ name: 'launcher', parse: (e) => parseEvent(sqsEvent, e, 'SQS event') }, async (event) => {
    const { batchItemFailures } = await launchBatch(
      deps,
      event.Records.map((r) => ({ messageId: r.messageId, body: r.body })),
      (body) => parseEvent(launchMessage, JSON.parse(body), 'launch message'),
    );
    return { batchItemFailures };
  });

const runTaskRate = getNumberEnv(LAUNCHER_ENV.runTaskRate);
const limiter = createRateLimiter({
  ratePerSecond: runTaskRate,
  burst: runTaskRate,
  now: Date.now,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
});

export const handler = buildHandler({
  ...coreDeps(),
  ecs,
  networks: parseNetworks(process.env[LAUNCHER_ENV.networks]),
  pace: limiter.acquire,
  random: Math.random,
});
