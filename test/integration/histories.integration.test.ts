/**
 * Generated histories (test/fuzz): the nine invariants over the real use cases, the real run store
 * on the suite's DynamoDB Local and the simulated rest of AWS, with crashes and faults. CI runs a
 * fixed seed and a budget that fits (LONGSHORE_FUZZ_RUNS, default 24; 0 runs only the kept
 * regressions, as the second, faketime suite run does: the histories run on their own clock, so
 * the same seed would replay the same histories); `npm run fuzz -- --runs N` runs more.
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

const RUNS = Number(process.env.LONGSHORE_FUZZ_RUNS ?? 24);
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
    `keeps the nine invariants over ${RUNS} generated histories (seed ${SEED})`,
    async () => {
      // Act
      const outcome = await runHistories({ endpoint: inject('ddbEndpoint'), runs: RUNS, seed: SEED });

      // Assess
      expect(outcome.failure, JSON.stringify(outcome.failure, null, 2)).toBeUndefined();
      expect(outcome.figures.violations).toBe(0);
    },
    600_000,
  );
});
