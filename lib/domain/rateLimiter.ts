/**
 * A token bucket, and a limiter that paces calls with it (RunTask on Fargate: 20 calls/s per
 * account and Region). Clock and sleep are injected, so tests run instantly and deterministically.
 */

export interface TokenBucket {
  /** Takes a token if one is there. */
  take(): boolean;
  /** Milliseconds until a token is there (0: now). */
  waitMs(): number;
  /** Takes a token, whether or not a whole one is there (after waiting `waitMs()`). */
  spend(): void;
}

export const createTokenBucket = (opts: { ratePerSecond: number; burst: number; now: () => number }): TokenBucket => {
  let tokens = opts.burst;
  let last = opts.now();
  const refill = (): void => {
    const t = opts.now();
    if (t <= last) return; // a clock that steps back refills nothing
    tokens = Math.min(opts.burst, tokens + ((t - last) / 1000) * opts.ratePerSecond);
    last = t;
  };
  return {
    take: () => {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    waitMs: () => {
      refill();
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / opts.ratePerSecond) * 1000);
    },
    spend: () => {
      refill();
      tokens -= 1;
    },
  };
};

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
  const bucket = createTokenBucket(opts);
  let queue: Promise<void> = Promise.resolve();
  return {
    // Calls are serialised so concurrent callers take tokens in order.
    acquire: () => {
      const next = queue.then(async () => {
        const wait = bucket.waitMs();
        if (wait > 0) await opts.sleep(wait);
        bucket.spend();
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
};
