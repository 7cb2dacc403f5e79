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

export interface AdaptiveRateLimiter extends RateLimiter {
  /** A call was throttled: slow down (at most once per reaction window). */
  throttled(): void;
  /** The current rate, calls per second. */
  rate(): number;
}

/**
 * AIMD pacing (additive increase, multiplicative decrease, as TCP does): the rate starts at
 * `maxPerSecond` and never goes above it; each call sent adds `increasePerSecond / rate` (about
 * `increasePerSecond` per second of sending); a throttled call multiplies it by `decreaseFactor`,
 * once per `reactionMs` (the calls already in flight when the service's bucket ran dry are throttled
 * by the same shortage, they are not new news). Used for RunTask: each launcher instance holds its
 * share of the account's rate when the account is quiet, and backs off to what other callers leave.
 */
export const createAdaptiveRateLimiter = (opts: {
  maxPerSecond: number;
  /** Calls it lets through at once after a quiet spell. */
  burst: number;
  minPerSecond: number;
  increasePerSecond: number;
  decreaseFactor: number;
  reactionMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}): AdaptiveRateLimiter => {
  let rate = opts.maxPerSecond;
  let tokens = opts.burst;
  let last = opts.now();
  let lastDecrease = Number.NEGATIVE_INFINITY;
  const refill = (): void => {
    const t = opts.now();
    if (t <= last) return;
    tokens = Math.min(opts.burst, tokens + ((t - last) / 1000) * rate);
    last = t;
  };
  let queue: Promise<void> = Promise.resolve();
  return {
    acquire: () => {
      const next = queue.then(async () => {
        refill();
        if (tokens < 1) await opts.sleep(Math.ceil(((1 - tokens) / rate) * 1000));
        refill();
        tokens -= 1;
        rate = Math.min(opts.maxPerSecond, rate + opts.increasePerSecond / rate);
      });
      queue = next.catch(() => undefined);
      return next;
    },
    throttled: () => {
      const t = opts.now();
      if (t - lastDecrease < opts.reactionMs) return;
      lastDecrease = t;
      refill();
      rate = Math.max(opts.minPerSecond, rate * opts.decreaseFactor);
      // What the bucket holds was earned at the old rate: the service just said it is not there.
      tokens = Math.min(tokens, 0);
    },
    rate: () => rate,
  };
};
