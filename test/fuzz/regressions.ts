/**
 * Histories the generator found breaking an invariant, shrunk by fast-check and kept as they came
 * out (seed and all): each replays to the same end on every run, and each names the defect it found
 * and the fix. Add one per defect: `npm run fuzz` prints the shrunk history of a failure.
 */
import type { History } from './history.ts';

export interface Regression {
  /** What broke, in one line (the test's name). */
  name: string;
  /** How it was found: the seed and path of the failing generated run. */
  found: string;
  history: History;
}

export const REGRESSIONS: Regression[] = [
  {
    name: 'a STOPPED event whose first delivery died after the run became FAILED still publishes Run Failed (and alerts) on redelivery',
    found: 'npm run fuzz -- --runs 5 --seed 1',
    history: {
      seed: 1104963101,
      faultRate: 0.02,
      dupRate: 0,
      crashes: [],
      launchFates: [{ kind: 'ok' }],
      taskFates: [{ kind: 'cannot-start' }],
      steps: [
        { kind: 'sweep', concurrent: false },
        { kind: 'tick', job: 'nightly', hour: 0, copies: 1 },
        { kind: 'retry', run: 0, token: 0 },
        { kind: 'deliver', count: 1, concurrent: false },
      ],
    },
  },
];
