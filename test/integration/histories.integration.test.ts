/**
 * Generated histories (test/fuzz): the nine invariants over the real use cases, the real run store
 * on the suite's DynamoDB Local and the simulated rest of AWS, with crashes and faults. CI runs a
 * fixed seed and a budget that fits: at most LONGSHORE_FUZZ_RUNS histories (default 8) and no new
 * one after LONGSHORE_FUZZ_SECONDS (default 90; a history under way finishes), so `npm test` stays
 * within minutes on a busy 2-core machine. The same seed always generates the same histories in the
 * same order: a slower machine runs a prefix of them. 0 runs only the kept regressions, as the
 * second, faketime suite run does (the histories run on their own clock, so it would replay the
 * same ones). `npm run fuzz -- --runs N [--seed S]` runs more and prints the seed of a failure.
 */
import { describe, expect, inject, it } from 'vitest';

// Every log line is captured per invocation and checked (faults logged once): the logger must print
// at DEBUG when it loads, and it loads with the harness, below.
const level = process.env.POWERTOOLS_LOG_LEVEL;
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
const { runHistories, checkHistory } = await import('../fuzz/property.ts');
const { REGRESSIONS } = await import('../fuzz/regressions.ts');
if (level === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
else process.env.POWERTOOLS_LOG_LEVEL = level;

const RUNS = Number(process.env.LONGSHORE_FUZZ_RUNS ?? 8);
const SECONDS = Number(process.env.LONGSHORE_FUZZ_SECONDS ?? 90);
const SEED = Number(process.env.LONGSHORE_FUZZ_SEED ?? 20261122);

describe('Generated histories: the kept regressions', () => {
  it.each(REGRESSIONS.map((r) => [r.name, r] as const))('keeps the invariants: %s', async (_name, r) => {
    // Act
    const report = await checkHistory(r.history, inject('ddbEndpoint'));

    // Assess
    expect(report.violations).toEqual([]);
  });
});

describe('Generated histories', () => {
  it.runIf(RUNS > 0)(
    `keeps the nine invariants over up to ${RUNS} generated histories in ${SECONDS} s (seed ${SEED})`,
    async () => {
      // Act
      const outcome = await runHistories({
        endpoint: inject('ddbEndpoint'),
        runs: RUNS,
        seed: SEED,
        timeLimitMs: SECONDS * 1000,
      });

      // Assess
      expect(outcome.failure, JSON.stringify(outcome.failure, null, 2)).toBeUndefined();
      expect(outcome.figures.violations).toBe(0);
      expect(outcome.figures.histories).toBeGreaterThan(0);
    },
    // The time limit, the longest history (a shrink after a failure runs on its own limit) and margin.
    (SECONDS + 240) * 1000,
  );
});
