/**
 * A token bucket that paces calls (RunTask on Fargate: 20 calls/s per account and Region). Clock and
 * sleep are injected, so tests run instantly and deterministically.
 */

export interface RateLimiter {
  /** Resolves when a call may be made. */
  acquire(): Promise<void>;
}

export const createRateLimiter = (opts: {
  ratePerSecond: number;
  burst: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}): RateLimiter => {
  let tokens = opts.burst;
  let last = opts.now();
  const refill = (): void => {
    const t = opts.now();
    tokens = Math.min(opts.burst, tokens + ((t - last) / 1000) * opts.ratePerSecond);
    last = t;
  };
  let queue: Promise<void> = Promise.resolve();
  return {
    // Calls are serialised so concurrent callers take tokens in order.
    acquire: () => {
      const next = queue.then(async () => {
        refill();
        if (tokens < 1) {
          await opts.sleep(Math.ceil(((1 - tokens) / opts.ratePerSecond) * 1000));
          refill();
        }
        tokens -= 1;
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
};
