/**
 * A token bucket as AWS documents its API throttling: a bucket of `capacity` tokens refilled at
 * `ratePerSecond`; a request takes one token, and a request that finds none is refused and takes
 * none (the ECS pages: "each request removes one token"; a throttled request is not served).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly capacity: number,
    readonly ratePerSecond: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.last = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - this.last) / 1000) * this.ratePerSecond);
      this.last = nowMs;
    }
  }

  /** True when a token is there now (without taking it). */
  has(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= 1;
  }

  take(nowMs: number): boolean {
    if (!this.has(nowMs)) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Takes one token from every bucket, or none when any is empty (a request passes all its quotas or is refused). */
export const takeAll = (buckets: TokenBucket[], nowMs: number): boolean => {
  if (!buckets.every((b) => b.has(nowMs))) return false;
  for (const b of buckets) b.take(nowMs);
  return true;
};
