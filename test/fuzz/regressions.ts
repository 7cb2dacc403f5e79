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
  {
    name: 'a run whose launch failure was recorded, but whose transition failed after it, is settled by the redelivered launch message (it stayed QUEUED for ever)',
    found: 'npm run fuzz -- --runs 24 --seed 20261122 --path 13:0:2',
    history: {
      seed: 1,
      faultRate: 0.1,
      dupRate: 0.5,
      crashes: [],
      launchFates: [{ kind: 'ok' }, { kind: 'failure', reason: 'MISSING' }, { kind: 'ok' }, { kind: 'ok' }],
      taskFates: [
        { kind: 'unknown-stop-code', afterSeconds: 541 },
        { kind: 'cannot-start' },
        { kind: 'stopped-by-someone', afterSeconds: 130 },
        { kind: 'exit', code: 0, afterSeconds: 344 },
        { kind: 'exit', code: 0, afterSeconds: 108 },
      ],
      steps: [
        { kind: 'deliver', count: 4, concurrent: true },
        { kind: 'trigger', job: 'nightly', token: 3, copies: 1, env: true, size: false },
        { kind: 'deliver', count: 2, concurrent: true },
        { kind: 'cancel', run: 2 },
        { kind: 'deliver', count: 4, concurrent: true },
        { kind: 'deliver', count: 3, concurrent: true },
        { kind: 'upload', object: 0, version: 0, copies: 2, shape: 'eventbridge' },
        { kind: 'upload', object: 3, version: 0, copies: 2, shape: 'eventbridge' },
        { kind: 'deliver', count: 6, concurrent: false },
        { kind: 'advance', seconds: 1542 },
        { kind: 'tick', job: 'nightly', hour: 0, copies: 2 },
        { kind: 'trigger', job: 'media', token: 0, copies: 2, env: false, size: true },
        { kind: 'trigger', job: 'adhoc', token: 3, copies: 3, env: true, size: false },
      ],
    },
  },
  {
    name: 'a run past its timeout whose task ECS no longer knows is closed as lost; StopTask\'s "task not found" no longer fails every sweep',
    found: 'npm run fuzz -- --runs 40 --seed 20261122 (history 26)',
    history: {
      seed: 1,
      faultRate: 0,
      dupRate: 0,
      crashes: [],
      launchFates: [{ kind: 'ok' }],
      taskFates: [
        { kind: 'lost', afterSeconds: 15 },
        { kind: 'exit', code: 0, afterSeconds: 15 },
      ],
      steps: [
        { kind: 'upload', object: 0, version: 0, copies: 1, shape: 'eventbridge' },
        { kind: 'advance', seconds: 5 },
        { kind: 'advance', seconds: 5 },
      ],
    },
  },
  {
    name: "a cancel racing the STOPPED event that retried its run cancels the retry, instead of putting attempt 1's task back on the run and staying CANCELLING for ever",
    found: 'npm run fuzz -- --runs 30 --seed 7 --path 15:0:0:0:0:0',
    history: {
      seed: 1,
      faultRate: 0,
      dupRate: 0,
      crashes: [],
      launchFates: [{ kind: 'ok' }],
      taskFates: [
        { kind: 'unknown-stop-code', afterSeconds: 86 },
        { kind: 'exit', code: 2, afterSeconds: 622 },
        { kind: 'oom', afterSeconds: 19 },
        { kind: 'exit', code: 3, afterSeconds: 210 },
        { kind: 'hang' },
        { kind: 'exit', code: 0, afterSeconds: 779 },
      ],
      steps: [
        { kind: 'deliver', count: 1, concurrent: true },
        { kind: 'trigger', job: 'nightly', token: 4, copies: 1, env: false, size: true },
        { kind: 'tick', job: 'nightly', hour: 2, copies: 1 },
        { kind: 'advance', seconds: 1078 },
        { kind: 'deliver', count: 4, concurrent: true },
        { kind: 'deliver', count: 1, concurrent: false },
        { kind: 'deliver', count: 1, concurrent: true },
        { kind: 'cancel', run: 19 },
        { kind: 'advance', seconds: 203 },
        { kind: 'deliver', count: 6, concurrent: true },
        { kind: 'cancel', run: 10 },
        { kind: 'cancel', run: 14 },
        { kind: 'sweep', concurrent: true },
        { kind: 'cancel', run: 20 },
      ],
    },
  },
  {
    name: "the alert of a run that ran after another names its upstream run: the checker counts it as the downstream run's alert (by its runId attribute), not the upstream's",
    found: 'npm run fuzz -- --runs 40 --seed 11',
    history: {
      seed: 1,
      faultRate: 0,
      dupRate: 0,
      crashes: [],
      launchFates: [{ kind: 'ok' }],
      taskFates: [{ kind: 'oom', afterSeconds: 15 }],
      steps: [
        { kind: 'upload', object: 0, version: 0, copies: 2, shape: 'eventbridge' },
        { kind: 'tick', job: 'replacer', hour: 0, copies: 2 },
      ],
    },
  },
  {
    name: 'an onRunFinished invocation that fails counts its fault in the Faults metric once, like every handler (its handler passed no metrics)',
    found: 'npm run fuzz -- --runs 3 --seed 11',
    history: {
      seed: 623247300,
      faultRate: 0.02,
      dupRate: 0.5,
      crashes: [],
      launchFates: [
        { kind: 'failure', reason: 'AGENT' },
        {
          kind: 'exception',
          name: 'PlatformTaskDefinitionIncompatibilityException',
          message: 'The specified platform does not satisfy the task definition\u2019s required capabilities.',
          status: 400,
        },
        { kind: 'ok' },
        { kind: 'failure', reason: 'AGENT' },
        { kind: 'ok' },
        { kind: 'ok' },
      ],
      taskFates: [
        { kind: 'exit', code: 0, afterSeconds: 592 },
        { kind: 'exit', code: 0, afterSeconds: 21 },
        { kind: 'unknown-stop-code', afterSeconds: 899 },
        { kind: 'exit', code: 0, afterSeconds: 898 },
        { kind: 'retirement', afterSeconds: 204 },
        { kind: 'exit', code: 0, afterSeconds: 480 },
        { kind: 'lost', afterSeconds: 21 },
      ],
      steps: [
        { kind: 'upload', object: 0, version: 0, copies: 3, shape: 'classic' },
        { kind: 'cancel', run: 18 },
        { kind: 'trigger', job: 'nightly', token: 0, copies: 1, env: false, size: true },
        { kind: 'upload', object: 5, version: 1, copies: 2, shape: 'eventbridge' },
        { kind: 'tick', job: 'replacer', hour: 0, copies: 2 },
      ],
    },
  },
  {
    name: 'an SNS Publish whose answer was lost and which the SDK sent again is one extra alert the window allows, not a broken invariant (the checker counts SDK retries of a send)',
    found: 'npm run fuzz -- --runs 40 --seed 20261122 (history 14, after the fixes)',
    history: {
      seed: 1226012456,
      faultRate: 0.1,
      dupRate: 0,
      crashes: [],
      launchFates: [{ kind: 'failure', reason: 'MISSING' }, { kind: 'ok' }],
      taskFates: [{ kind: 'exit', code: 0, afterSeconds: 50 }],
      steps: [
        { kind: 'trigger', job: 'media', token: 0, copies: 1, env: true },
        { kind: 'deliver', count: 4, concurrent: true },
        { kind: 'deliver', count: 3, concurrent: true },
        { kind: 'upload', object: 0, version: 0, copies: 2, shape: 'eventbridge' },
        { kind: 'upload', object: 3, version: 0, copies: 2, shape: 'eventbridge' },
        { kind: 'deliver', count: 6, concurrent: false },
        { kind: 'advance', seconds: 1542 },
        { kind: 'tick', job: 'nightly', hour: 0, copies: 2 },
        { kind: 'trigger', job: 'media', token: 0, copies: 2, env: false, size: true },
        { kind: 'trigger', job: 'adhoc', token: 3, copies: 3, env: true, size: false },
      ],
    },
  },
  {
    name: 'a cancel that overtakes a retry the policy decided closes the run CANCELLED at that attempt: the retry decision it keeps is no retry that happened (the budgets invariant was too strict)',
    found: 'npm run fuzz -- --runs 8 --seed 1 --minutes 2 (path 7:32:3, once the histories pause and resume jobs)',
    history: {
      seed: 1879048169,
      faultRate: 0.05,
      dupRate: 0,
      crashes: [
        { invocation: 15, call: 13, when: 'after' },
        { invocation: 45, call: 6, when: 'after' },
        { invocation: 42, call: 2, when: 'after' },
        { invocation: 38, call: 5, when: 'after' },
        { invocation: 44, call: 3, when: 'before' },
      ],
      launchFates: [{ kind: 'ok' }],
      taskFates: [
        { kind: 'exit', code: 65, afterSeconds: 595 },
        { kind: 'retirement', afterSeconds: 364 },
        { kind: 'exit', code: 0, afterSeconds: 900 },
        { kind: 'exit', code: 0, afterSeconds: 23 },
        { kind: 'exit', code: 0, afterSeconds: 18 },
        { kind: 'hang' },
        { kind: 'exit', code: 0, afterSeconds: 22 },
        { kind: 'pull-timeout' },
      ],
      steps: [
        { kind: 'upload', object: 2, version: 0, copies: 2, shape: 'classic' },
        { kind: 'deliver', count: 5, concurrent: false },
        { kind: 'trigger', job: 'nightly', token: 3, copies: 3, env: true, size: false },
        { kind: 'upload', object: 1, version: 0, copies: 3, shape: 'eventbridge' },
        { kind: 'advance', seconds: 355 },
        { kind: 'upload', object: 5, version: 1, copies: 2, shape: 'classic' },
        { kind: 'cancel', run: 4 },
        { kind: 'trigger', job: 'media', token: 3, copies: 1, env: true, size: false },
        { kind: 'advance', seconds: 443 },
        { kind: 'advance', seconds: 71 },
      ],
    },
  },
];
