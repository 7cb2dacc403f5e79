/**
 * The failure policy, table-driven over real event shapes (events/ecs-task-*.json): every default
 * rule, the job rules of the example catalog, budgets, backoff, and the diagnosis in plain words.
 */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../../lib/catalog/schema.ts';
import { validateCatalog } from '../../../../lib/catalog/validate.ts';
import { type AttemptFacts, decidingContainer } from '../../../../lib/domain/attemptFacts.ts';
import { DEFAULT_RULES } from '../../../../lib/domain/defaultRules.ts';
import { decide, type PolicyRun, rulesFor } from '../../../../lib/domain/policy.ts';
import { baseCatalog, baseJob } from '../../../helpers/catalogs.ts';
import { factsFromEvent } from '../../../helpers/facts.ts';
import { exampleJob } from '../../../helpers/items.ts';

const runOf = (job: Job, patch: Partial<PolicyRun> = {}): PolicyRun => ({
  runId: `${job.name}-aaaaaaaaaaaaaaaaaaaa`,
  attempt: 1,
  capacity: job.capacity.type === 'fargate-spot' ? 'FARGATE_SPOT' : 'FARGATE',
  size: { cpu: job.size.cpu, memory: job.size.memory },
  retries: { app: 0, infra: 0, rules: {} },
  ...patch,
});

type Row = [string, string, string, Partial<PolicyRun>, Record<string, unknown>];

describe('Function: decide (default rules, real event shapes)', () => {
  it.each<Row>([
    [
      'a clean exit',
      'ecs-task-stopped-success',
      'thumbnails',
      {},
      { outcome: 'success', action: 'succeed', rule: 'success', next: 'done' },
    ],
    [
      'an application failure with budget left',
      'ecs-task-stopped-app-failure',
      'nightly-report',
      {},
      {
        outcome: 'retry',
        action: 'retry',
        rule: 'application-error',
        exitCode: 2,
        diagnosis: "exit 2: container 'main' failed",
        nextAttempt: 2,
        maxAttempts: 2,
      },
    ],
    [
      'an application failure with the budget used up',
      'ecs-task-stopped-app-failure',
      'nightly-report',
      { attempt: 2, retries: { app: 1, infra: 0, rules: {} } },
      {
        outcome: 'fail',
        finalStatus: 'FAILED',
        rule: 'application-error',
        next: 'giving up: no retries left (1 of 1 used; policy.retries is 1)',
      },
    ],
    [
      'an out-of-memory kill',
      'ecs-task-stopped-oom',
      'csv-ingest',
      {},
      {
        outcome: 'retry',
        action: 'retry-bigger',
        rule: 'out-of-memory',
        exitCode: 137,
        size: { cpu: 1024, memory: 4096 },
        delaySeconds: 0,
        diagnosis:
          "exit 137: container 'main' used more than its 2 GB and was killed (OutOfMemoryError); retrying with 4 GB",
        // Not a budget (the memory cap bounds it), but counted, so the run says why it has another attempt.
        retries: { app: 0, infra: 0, rules: { 'out-of-memory': 1 } },
      },
    ],
    [
      'an out-of-memory kill at the memory cap',
      'ecs-task-stopped-oom',
      'csv-ingest',
      { size: { cpu: 1024, memory: 8192 } },
      {
        outcome: 'fail',
        rule: 'out-of-memory',
        next: 'giving up: 8 GB is already the most this job may use (policy.maxMemory 8 GB)',
      },
    ],
    [
      'a Spot interruption',
      'ecs-task-stopped-spot',
      'csv-ingest',
      {},
      {
        outcome: 'retry',
        action: 'retry-on-demand',
        rule: 'spot-interruption',
        capacity: 'FARGATE',
        delaySeconds: 0,
        retries: { app: 0, infra: 1, rules: {} },
      },
    ],
    [
      'an image that does not exist',
      'ecs-task-stopped-pull-failure',
      'csv-ingest',
      {},
      {
        outcome: 'fail',
        rule: 'image-not-pullable',
        next: 'giving up: a configuration error does not heal by retrying',
        diagnosis: expect.stringMatching(
          /^the image could not be pulled \(the image or tag does not exist\): CannotPullContainerError/,
        ),
      },
    ],
    [
      'an image pull that timed out',
      'ecs-task-stopped-pull-timeout',
      'csv-ingest',
      {},
      {
        outcome: 'retry',
        action: 'retry',
        rule: 'image-pull-timeout',
        retries: { app: 0, infra: 0, rules: { 'image-pull-timeout': 1 } },
      },
    ],
    [
      'a secret the execution role may not read',
      'ecs-task-stopped-secrets-failure',
      'nightly-report',
      {},
      {
        outcome: 'fail',
        rule: 'secrets-unreadable',
        diagnosis: expect.stringMatching(
          /^ECS could not read the task's secrets \(the execution role may not read it\): ResourceInitializationError/,
        ),
      },
    ],
    [
      'a run stopped at its timeout',
      'ecs-task-stopped-timeout',
      'nightly-report',
      {},
      { outcome: 'fail', finalStatus: 'TIMED_OUT', rule: 'timed-out' },
    ],
    [
      'a platform retirement',
      'ecs-task-stopped-retirement',
      'thumbnails',
      {},
      {
        outcome: 'retry',
        rule: 'platform-retirement',
        retries: { app: 0, infra: 1, rules: {} },
        next: expect.stringContaining('(not counted against the retry budget)'),
      },
    ],
    [
      'an unknown stop code with an exit code',
      'ecs-task-stopped-unknown-stop-code',
      'thumbnails',
      {},
      { outcome: 'retry', rule: 'application-error', exitCode: 1 },
    ],
  ])('decides %s (%s, job %s)', (_what, event, jobName, patch, expected) => {
    // Prepare
    const job = exampleJob(jobName);

    // Act
    const verdict = decide(job, runOf(job, patch), factsFromEvent(event, job));

    // Assess
    expect(verdict).toMatchObject(expected);
  });

  it('retries with growing, capped, jittered delays that are the same on every redelivery', () => {
    // Prepare
    const job = exampleJob('thumbnails');
    const facts = factsFromEvent('ecs-task-stopped-unknown-stop-code', job);
    const delay = (app: number) => {
      const v = decide(job, runOf(job, { attempt: app + 1, retries: { app, infra: 0, rules: {} } }), facts);
      return v.outcome === 'retry' ? v.delaySeconds : -1;
    };

    // Act
    const first = delay(0);

    // Assess
    expect(first).toBe(delay(0));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(30);
    expect(delay(1)).toBeLessThan(60);
  });

  it('makes the start failure of an unknown cause an infrastructure retry', () => {
    // Prepare
    const job = exampleJob('thumbnails');
    const facts: AttemptFacts = {
      kind: 'task',
      containers: [{ name: 'main', essential: true }],
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'Timeout waiting for network interface provisioning to complete.',
    };

    // Act & Assess
    expect(decide(job, runOf(job), facts)).toMatchObject({
      outcome: 'retry',
      rule: 'start-failure',
      retries: { infra: 1 },
    });
  });

  it('fails a task stopped from outside longshore, and a launch RunTask refused', () => {
    // Prepare
    const job = exampleJob('thumbnails');

    // Act
    const stopped = decide(job, runOf(job), {
      kind: 'task',
      containers: [{ name: 'main', exitCode: 143, essential: true }],
      stopCode: 'UserInitiated',
      stoppedReason: 'Stopped by alice from the console',
    });
    const launch = decide(job, runOf(job), {
      kind: 'launch',
      containers: [],
      launchFailure: 'InvalidParameterException: No Fargate configuration exists',
    });

    // Assess
    expect(stopped).toMatchObject({
      outcome: 'fail',
      rule: 'stopped-by-someone',
      diagnosis: "exit 143: container 'main' failed",
    });
    expect(launch).toMatchObject({
      outcome: 'fail',
      rule: 'launch-rejected',
      diagnosis: 'RunTask refused the launch: InvalidParameterException: No Fargate configuration exists',
    });
  });

  it('judges success by essential containers only: a failed non-essential sidecar does not fail the run', () => {
    // Prepare
    const job = exampleJob('nightly-report');
    const facts: AttemptFacts = {
      kind: 'task',
      containers: [
        { name: 'main', exitCode: 0, essential: true },
        { name: 'otel-collector', exitCode: 1, essential: false },
      ],
      stopCode: 'EssentialContainerExited',
    };

    // Act & Assess
    expect(decide(job, runOf(job), facts).outcome).toBe('success');
    expect(
      decide(job, runOf(job), {
        kind: 'task',
        containers: [{ name: 'main', essential: true }],
        stopCode: 'EssentialContainerExited',
      }).outcome,
    ).not.toBe('success');
  });
});

describe('Function: decidingContainer', () => {
  const stopped = (containers: AttemptFacts['containers'], stopCode = 'EssentialContainerExited'): AttemptFacts => ({
    kind: 'task',
    containers,
    stopCode,
  });

  it.each<[string, AttemptFacts, string | undefined]>([
    [
      "a crashed essential sidecar, not main's SIGTERM (143) after it",
      stopped([
        { name: 'main', exitCode: 143, essential: true },
        { name: 'otel-collector', exitCode: 1, essential: true },
      ]),
      'otel-collector',
    ],
    [
      "a crashed essential sidecar, not main's SIGKILL (137, no reason) after its stopTimeout",
      stopped([
        { name: 'main', exitCode: 137, essential: true },
        { name: 'otel-collector', exitCode: 2, essential: true },
      ]),
      'otel-collector',
    ],
    [
      'main killed for memory (137 with its reason), not the sidecar ECS stopped after it',
      stopped([
        { name: 'otel-collector', exitCode: 143, essential: true },
        {
          name: 'main',
          exitCode: 137,
          essential: true,
          reason: 'OutOfMemoryError: Container killed due to memory usage',
        },
      ]),
      'main',
    ],
    [
      'the first one when every container was stopped by a signal',
      stopped([
        { name: 'main', exitCode: 143, essential: true },
        { name: 'otel-collector', exitCode: 143, essential: true },
      ]),
      'main',
    ],
    [
      'the first one when the task was stopped for another reason (a Spot interruption stops them all)',
      stopped(
        [
          { name: 'main', exitCode: 143, essential: true },
          { name: 'otel-collector', exitCode: 1, essential: true },
        ],
        'SpotInterruption',
      ),
      'main',
    ],
    [
      'none when every essential container exited 0',
      stopped([
        { name: 'main', exitCode: 0, essential: true },
        { name: 'otel-collector', exitCode: 1, essential: false },
      ]),
      undefined,
    ],
  ])('names %s', (_what, facts, expected) => {
    // Act & Assess
    expect(decidingContainer(facts)?.name).toBe(expected);
  });
});

describe('Function: decide (job rules)', () => {
  const exit = (code: number, _job: Job, reason?: string): AttemptFacts => ({
    kind: 'task',
    containers: [{ name: 'main', exitCode: code, essential: true, ...(reason ? { reason } : {}) }],
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
  });

  it.each<[string, string, number, Record<string, unknown>]>([
    [
      'a declared nothing-to-do exit is success',
      'nightly-report',
      3,
      {
        outcome: 'success',
        action: 'ignore',
        rule: 'no-data-yet',
        diagnosis: 'exit 3: the ledger had no postings for the period; nothing to report',
      },
    ],
    [
      'a rejected partner file fails at once',
      'csv-ingest',
      65,
      {
        outcome: 'fail',
        rule: 'partner-file-rejected',
        diagnosis: 'exit 65: the CSV failed schema validation; fix the file and re-upload it',
      },
    ],
    [
      'a busy warehouse retries on its own budget',
      'csv-ingest',
      75,
      {
        outcome: 'retry',
        rule: 'warehouse-busy',
        retries: { app: 0, infra: 0, rules: { 'warehouse-busy': 1 } },
        maxAttempts: 6,
      },
    ],
  ])('%s', (_what, jobName, code, expected) => {
    // Prepare
    const job = exampleJob(jobName);

    // Act & Assess
    expect(decide(job, runOf(job), exit(code, job))).toMatchObject(expected);
  });

  it('puts the job rules before the defaults and always ends with a rule that decides', () => {
    // Prepare
    const job = exampleJob('csv-ingest');
    const bare = validateCatalog(
      baseCatalog([
        baseJob({
          policy: { useDefaultRules: false, rules: [{ name: 'only', match: { exitCodes: [9] }, action: 'ignore' }] },
        }),
      ]),
    ).jobs[0] as Job;

    // Act
    const names = rulesFor(job).map((r) => r.name);

    // Assess
    expect(names.slice(0, 2)).toEqual(['partner-file-rejected', 'warehouse-busy']);
    expect(names.slice(2, 2 + DEFAULT_RULES.length)).toEqual(DEFAULT_RULES.map((r) => r.name));
    expect(names.at(-1)).toBe('no-matching-rule');
    expect(decide(bare, runOf(bare), exit(1, bare))).toMatchObject({ outcome: 'fail', rule: 'no-matching-rule' });
  });

  it('grows memory with cpu when the combination requires it', () => {
    // Prepare
    const job = validateCatalog(
      baseCatalog([baseJob({ size: { cpu: 512, memory: 4096 }, policy: { maxMemory: 16384 } })]),
    ).jobs[0] as Job;

    // Act
    const verdict = decide(job, runOf(job), exit(137, job, 'OutOfMemoryError: Container killed due to memory usage'));

    // Assess
    expect(verdict).toMatchObject({
      action: 'retry-bigger',
      size: { cpu: 1024, memory: 8192 },
      diagnosis: expect.stringContaining('retrying with 8 GB and 1 vCPU'),
    });
  });

  it('keeps a Spot job without fallback on Spot after an interruption', () => {
    // Prepare
    const job = validateCatalog(baseCatalog([baseJob({ capacity: { type: 'fargate-spot', fallback: 'none' } })]))
      .jobs[0] as Job;

    // Act & Assess
    expect(decide(job, runOf(job), factsFromEvent('ecs-task-stopped-spot', job))).toMatchObject({
      action: 'retry-on-demand',
      capacity: 'FARGATE_SPOT',
    });
  });

  it('stops retrying Spot interruptions after maxInfrastructureRetries', () => {
    // Prepare
    const job = exampleJob('csv-ingest');

    // Act & Assess
    expect(
      decide(
        job,
        runOf(job, { retries: { app: 0, infra: 5, rules: {} } }),
        factsFromEvent('ecs-task-stopped-spot', job),
      ),
    ).toMatchObject({
      outcome: 'fail',
      next: 'giving up: 5 infrastructure retries used (policy.maxInfrastructureRetries)',
    });
  });
});
