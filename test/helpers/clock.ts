/**
 * The test clock. Fixtures are dated just before it, and every unit test runs with `Date` frozen at
 * it (`test/unit/setupClock.ts`), so a test's result never depends on the day or the time zone it
 * runs in. The handlers wire `now: () => new Date()` at module scope; faking `Date` is their seam.
 */
import { vi } from 'vitest';

/** When every unit test "is": a few seconds after the fixtures' events. */
export const TEST_NOW = new Date('2026-11-22T09:00:05.000Z');

/** Freezes `Date` (only `Date`: real timers keep running) at `at`. */
export const freezeClock = (at: Date = TEST_NOW): void => {
  vi.useFakeTimers({ toFake: ['Date'], now: at });
};

/** Moves the frozen clock by `ms` milliseconds. */
export const advanceClock = (ms: number): void => {
  vi.setSystemTime(new Date(Date.now() + ms));
};
