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
  {
    name: 'a PutEvents entry EventBridge refuses is reported with the reason it gave, in one log line',
    found: 'npm run fuzz -- --runs 15 --seed 2',
    history: {
      seed: 1,
      faultRate: 0.1,
      dupRate: 0,
      crashes: [],
      launchFates: [{ kind: 'ok' }],
      taskFates: [{ kind: 'exit', code: 0, afterSeconds: 15 }],
      steps: [
        { kind: 'upload', object: 0, version: 0, copies: 1, shape: 'eventbridge' },
        { kind: 'upload', object: 0, version: 0, copies: 2, shape: 'eventbridge' },
        { kind: 'retry', run: 0, token: 0 },
      ],
    },
  },
  {
    name: "a sweep that fails keeps its own error when giving its lease back fails too (the release's error masked it)",
    found: 'npm run fuzz -- --runs 15 --seed 2',
    history: {
      seed: 928773109,
      faultRate: 0.1,
      dupRate: 0,
      crashes: [],
      launchFates: [{ kind: 'ok' }],
      taskFates: [{ kind: 'exit', code: 0, afterSeconds: 15 }],
      steps: [
        { kind: 'upload', object: 0, version: 0, copies: 2, shape: 'eventbridge' },
        { kind: 'retry', run: 0, token: 0 },
      ],
    },
  },
  {
    name: 'a RunTask capacity refusal is logged and counted once, even when re-queueing the launch fails after it',
    found: 'npm run fuzz -- --runs 15 --seed 2',
    history: {
      seed: 1,
      faultRate: 0.1,
      dupRate: 0,
      crashes: [],
      launchFates: [{ kind: 'failure', reason: 'RESOURCE:CPU' }, { kind: 'ok' }],
      taskFates: [{ kind: 'exit', code: 0, afterSeconds: 15 }],
      steps: [
        { kind: 'trigger', job: 'media', token: 0, copies: 2 },
        { kind: 'upload', object: 0, version: 0, copies: 2, shape: 'eventbridge' },
        { kind: 'retry', run: 0, token: 0 },
      ],
    },
  },
];
