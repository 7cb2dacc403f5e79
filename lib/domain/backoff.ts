/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * sleep = random(0, min(cap, base * factor^n)). Randomness is injected so tests are exact, and the
 * tracker derives it from the run and attempt so a redelivered event computes the same delay.
 */
import { createHash } from 'node:crypto';

export interface BackoffSpec {
  baseSeconds: number;
  factor: number;
  capSeconds: number;
}

/**
 * @param n how many retries came before this one (0 for the first retry)
 * @param random a number in [0, 1)
 * @example fullJitterDelay({ baseSeconds: 30, factor: 2, capSeconds: 900 }, 3, 0.5) // 120
 */
export const fullJitterDelay = (spec: BackoffSpec, n: number, random: number): number => {
  const ceiling = Math.min(spec.capSeconds, spec.baseSeconds * spec.factor ** Math.max(0, n));
  return Math.floor(ceiling * Math.min(Math.max(random, 0), 0.999999));
};

/** A deterministic number in [0, 1) from text, for jitter that must be the same on every redelivery. */
export const stableRandom = (text: string): number =>
  createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
