import { ecs, ecsClient, onRunTaskThrottled, taskDefinitions } from '../../lib/aws/ecs.ts';
import { getNumberEnv, LAUNCHER_ENV, parseNetworks } from '../../lib/config.ts';
import { launchMessage } from '../../lib/contracts/launch.ts';
import { sqsEvent } from '../../lib/contracts/sqs.ts';
import { createAdaptiveRateLimiter } from '../../lib/domain/rateLimiter.ts';
import { createHandler, parseEvent } from '../../lib/handler.ts';
import { launchBatch } from '../../lib/launchBatch.ts';
import type { LaunchDeps } from '../../lib/ports.ts';
import { coreDeps } from '../../lib/wiring.ts';

/** The launch queue's consumer: partial batch responses, so one bad message never holds up the rest. */
export const buildHandler = (deps: LaunchDeps) =>
  createHandler(
    { name: 'launcher', parse: (e) => parseEvent(sqsEvent, e, 'SQS event'), metrics: deps.metrics },
    async (event) => {
      const { batchItemFailures } = await launchBatch(
        deps,
        event.Records.map((r) => ({ messageId: r.messageId, body: r.body })),
        (body) => parseEvent(launchMessage, JSON.parse(body), 'launch message'),
      );
      return { batchItemFailures };
    },
  );

/**
 * RunTask pacing: this instance's share of the account's rate while ECS accepts every call, backing
 * off on throttling (AIMD) to what other callers leave; every throttled attempt counts, the SDK's
 * retries included. Tuned with the burst bench (`npm run bench -- --only burst`, BENCHMARKS.md):
 * +0.1 call/s per second of sending, x0.7 per throttling episode (at most one per 300 ms: about two
 * RunTask latencies, the calls already in flight) keep throttled calls near 5% when other callers
 * take half of the rate, and a quiet account's drain at its full rate.
 */
const runTaskRate = getNumberEnv(LAUNCHER_ENV.runTaskRate);
const limiter = createAdaptiveRateLimiter({
  maxPerSecond: runTaskRate,
  // Half a second of calls at once: the instances' bursts together stay under the 20 calls ECS's
  // bucket holds, so timing jitter in a quiet account is absorbed there instead of throttled.
  burst: Math.max(1, runTaskRate / 2),
  minPerSecond: Math.min(runTaskRate, 0.5),
  increasePerSecond: 0.1,
  decreaseFactor: 0.7,
  reactionMs: 300,
  now: Date.now,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
});
onRunTaskThrottled(ecsClient, limiter.throttled);

export const handler = buildHandler({
  ...coreDeps(),
  ecs,
  taskDefinitions,
  networks: parseNetworks(process.env[LAUNCHER_ENV.networks]),
  pace: limiter.acquire,
  random: Math.random,
});
