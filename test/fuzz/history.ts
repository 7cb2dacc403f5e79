/**
 * A generated history: triggers (uploads, some of the same object; schedule ticks, some of the same
 * tick; manual triggers, some with the same client token), each delivered 1-3 times, operator
 * cancels and retries, deliveries in any order (some at once: concurrent invocations), time passing,
 * sweeps; and the world's dice: task endings of every class the policy knows, RunTask refusals with
 * every documented reason, duplicated and shuffled task events, crashes between any two AWS calls,
 * faults at a rate. Plain data, so a failing history can be kept as a regression case.
 */
import * as fc from 'fast-check';
import { type LaunchFate, RUN_TASK_EXCEPTIONS, RUN_TASK_FAILURE_REASONS, type TaskFate } from './ecs.ts';

export type Step =
  | { kind: 'upload'; object: number; version: number; copies: number; shape: 'eventbridge' | 'classic' }
  | { kind: 'tick'; job: 'nightly' | 'replacer'; hour: number; copies: number }
  | {
      kind: 'trigger';
      job: 'media' | 'spot' | 'nightly' | 'adhoc';
      token: number;
      copies: number;
      env?: boolean;
      size?: boolean;
    }
  | { kind: 'cancel'; run: number }
  | { kind: 'retry'; run: number; token: number }
  /** `jobs pause` (with `--skip` or not) and `jobs resume`, delivered to the control function. */
  | { kind: 'pause'; job: PausableJob; skip: boolean }
  | { kind: 'resume'; job: PausableJob }
  | { kind: 'deliver'; count: number; concurrent: boolean }
  | { kind: 'advance'; seconds: number }
  | { kind: 'sweep'; concurrent: boolean };

export type PausableJob = 'media' | 'spot' | 'nightly' | 'adhoc';
const pausable = fc.constantFrom<PausableJob>('media', 'spot', 'nightly', 'adhoc');

export interface History {
  seed: number;
  faultRate: number;
  dupRate: number;
  crashes: { invocation: number; call: number; when: 'before' | 'after' }[];
  launchFates: LaunchFate[];
  taskFates: TaskFate[];
  steps: Step[];
}

const seconds = fc.integer({ min: 15, max: 900 });

export const taskFate: fc.Arbitrary<TaskFate> = fc.oneof(
  { weight: 8, arbitrary: seconds.map((s) => ({ kind: 'exit' as const, code: 0, afterSeconds: s })) },
  {
    weight: 4,
    arbitrary: fc
      .record({ code: fc.constantFrom(1, 2, 3, 65, 75, 137, 255), afterSeconds: seconds })
      .map((r) => ({ kind: 'exit' as const, ...r })),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        kind: fc.constantFrom('oom', 'spot', 'retirement', 'stopped-by-someone', 'unknown-stop-code', 'lost'),
        afterSeconds: seconds,
      })
      .map((r) => r as TaskFate),
  },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('pull', 'pull-timeout', 'secrets', 'secrets-timeout', 'cannot-start', 'hang')
      .map((kind) => ({ kind }) as TaskFate),
  },
);

export const launchFate: fc.Arbitrary<LaunchFate> = fc.oneof(
  { weight: 14, arbitrary: fc.constant({ kind: 'ok' as const }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(...RUN_TASK_FAILURE_REASONS).map((f) => ({ kind: 'failure' as const, ...f })),
  },
  { weight: 1, arbitrary: fc.constantFrom(...RUN_TASK_EXCEPTIONS).map((e) => ({ kind: 'exception' as const, ...e })) },
);

const copies = fc.integer({ min: 1, max: 3 });

export const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('upload' as const),
      object: fc.integer({ min: 0, max: 5 }),
      version: fc.integer({ min: 0, max: 1 }),
      copies,
      shape: fc.constantFrom('eventbridge' as const, 'classic' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      job: fc.constantFrom('nightly' as const, 'replacer' as const),
      hour: fc.integer({ min: 0, max: 3 }),
      copies,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        kind: fc.constant('trigger' as const),
        job: fc.constantFrom('media' as const, 'spot' as const, 'nightly' as const, 'adhoc' as const),
        token: fc.integer({ min: 0, max: 4 }),
        copies,
        env: fc.boolean(),
        size: fc.boolean(),
      },
      { requiredKeys: ['kind', 'job', 'token', 'copies'] },
    ),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), run: fc.nat(20) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('retry' as const),
      run: fc.nat(20),
      token: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      count: fc.integer({ min: 1, max: 6 }),
      concurrent: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 5, max: 1800 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const), concurrent: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('pause' as const), job: pausable, skip: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resume' as const), job: pausable }) },
);

export const history: fc.Arbitrary<History> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  faultRate: fc.constantFrom(0, 0, 0.02, 0.05, 0.1),
  dupRate: fc.constantFrom(0, 0.25, 0.5),
  crashes: fc.array(
    fc.record({
      invocation: fc.integer({ min: 0, max: 60 }),
      call: fc.integer({ min: 1, max: 14 }),
      when: fc.constantFrom('before' as const, 'after' as const),
    }),
    { maxLength: 5 },
  ),
  launchFates: fc.array(launchFate, { minLength: 1, maxLength: 8 }),
  taskFates: fc.array(taskFate, { minLength: 1, maxLength: 8 }),
  steps: fc.array(step, { minLength: 2, maxLength: 24 }),
});
