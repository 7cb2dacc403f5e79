import { describe, expect, it } from 'vitest';
import { fullJitterDelay, stableRandom } from '../../../../lib/domain/backoff.ts';
import { classifyLaunchFailure } from '../../../../lib/domain/launchFailure.ts';
import { overrideProblems } from '../../../../lib/domain/overrides.ts';
import { createAdaptiveRateLimiter, createRateLimiter } from '../../../../lib/domain/rateLimiter.ts';
import { exampleCatalog } from '../../../helpers/catalogs.ts';

describe('Function: classifyLaunchFailure', () => {
  it.each([
    ['ThrottlingException', 'Rate exceeded', 'throttled'],
    ['ServerException', 'Service unavailable', 'throttled'],
    [undefined, 'Rate exceeded', 'throttled'],
    [
      undefined,
      'Capacity is unavailable at this time. Please try again later or in a different availability zone',
      'capacity',
    ],
    [undefined, 'RESOURCE:MEMORY', 'capacity'],
    ['ClientException', "You've reached the limit on the number of vCPUs you can run concurrently", 'capacity'],
    ['ClientException', 'The quota of tasks in the PROVISIONING state per cluster has been reached', 'capacity'],
    ['InvalidParameterException', 'No Fargate configuration exists for given values: 512 CPU, 3000 memory', 'config'],
    ['AccessDeniedException', 'User is not authorized to perform: ecs:RunTask', 'config'],
    ['ClusterNotFoundException', 'Cluster not found.', 'config'],
    [undefined, 'MISSING', 'config'],
  ])('classifies %s "%s" as %s', (name, message, kind) => {
    // Act & Assess
    expect(classifyLaunchFailure(name, message)).toBe(kind);
  });
});

describe('Function: fullJitterDelay', () => {
  const spec = { baseSeconds: 30, factor: 2, capSeconds: 900 };

  it.each([
    [0, 0.5, 15],
    [1, 0.5, 30],
    [3, 0.5, 120],
    [10, 0.5, 450],
    [3, 0, 0],
    [3, 0.999999999, 239],
  ])('after %i retries with random %d waits %i s (capped, full jitter)', (n, random, seconds) => {
    // Act & Assess
    expect(fullJitterDelay(spec, n, random)).toBe(seconds);
  });

  it('derives a stable random in [0, 1) from text', () => {
    // Act
    const a = stableRandom('run-1#2');

    // Assess
    expect(a).toBe(stableRandom('run-1#2'));
    expect(a).not.toBe(stableRandom('run-1#3'));
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(1);
  });
});

describe('Function: createRateLimiter', () => {
  it('lets a burst through, then paces calls at the rate', async () => {
    // Prepare
    let now = 0;
    const sleeps: number[] = [];
    const limiter = createRateLimiter({
      ratePerSecond: 10,
      burst: 2,
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    });

    // Act
    for (let i = 0; i < 5; i++) await limiter.acquire();

    // Assess
    expect(sleeps).toEqual([100, 100, 100]);
    expect(now).toBe(300);
  });

  it('serves concurrent callers in order without exceeding the rate', async () => {
    // Prepare
    let now = 0;
    const limiter = createRateLimiter({
      ratePerSecond: 20,
      burst: 1,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    const times: number[] = [];

    // Act
    await Promise.all(Array.from({ length: 21 }, () => limiter.acquire().then(() => times.push(now))));

    // Assess
    expect(times.at(-1)).toBe(1000);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('Function: createAdaptiveRateLimiter', () => {
  const limiterAt = (clock: { now: number }) =>
    createAdaptiveRateLimiter({
      maxPerSecond: 10,
      burst: 10,
      minPerSecond: 0.5,
      increasePerSecond: 0.1,
      decreaseFactor: 0.75,
      reactionMs: 1000,
      now: () => clock.now,
      sleep: async (ms) => {
        clock.now += ms;
      },
    });

  it('paces at its top rate, never above it, while nothing is throttled', async () => {
    // Prepare
    const clock = { now: 0 };
    const limiter = limiterAt(clock);

    // Act
    for (let i = 0; i < 110; i++) await limiter.acquire();

    // Assess
    // 10 from the bucket at once, then 100 at 10/s
    expect(clock.now).toBe(10_000);
    expect(limiter.rate()).toBe(10);
  });

  it('lets only its burst through at once after a quiet spell, then paces', async () => {
    // Prepare
    const clock = { now: 0 };
    const limiter = createAdaptiveRateLimiter({
      maxPerSecond: 10,
      burst: 3,
      minPerSecond: 0.5,
      increasePerSecond: 0.1,
      decreaseFactor: 0.7,
      reactionMs: 300,
      now: () => clock.now,
      sleep: async (ms) => {
        clock.now += ms;
      },
    });
    clock.now = 60_000;

    // Act
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.acquire();
      times.push(clock.now - 60_000);
    }

    // Assess
    expect(times).toEqual([0, 0, 0, 100, 200]);
  });

  it('slows down by its factor once per reaction window when calls are throttled, and waits before the next call', async () => {
    // Prepare
    const clock = { now: 0 };
    const limiter = limiterAt(clock);
    await limiter.acquire();

    // Act
    limiter.throttled();
    limiter.throttled(); // the same episode: calls in flight when the bucket ran dry
    const afterFirst = limiter.rate();
    clock.now += 1000;
    limiter.throttled();
    const before = clock.now;
    await limiter.acquire();

    // Assess
    expect(afterFirst).toBe(7.5);
    expect(limiter.rate()).toBeCloseTo(5.625 + 0.1 / 5.625, 9);
    expect(clock.now - before).toBe(Math.ceil(1000 / 5.625));
  });

  it('climbs back towards its top rate by about its increase per second of sending', async () => {
    // Prepare
    const clock = { now: 0 };
    const limiter = limiterAt(clock);
    limiter.throttled();
    const start = clock.now;

    // Act
    while (clock.now - start < 10_000) await limiter.acquire();

    // Assess
    expect(limiter.rate()).toBeGreaterThan(7.5 + 0.9);
    expect(limiter.rate()).toBeLessThan(7.5 + 1.1);
  });

  it('never goes under its floor', () => {
    // Prepare
    const clock = { now: 0 };
    const limiter = limiterAt(clock);

    // Act
    for (let i = 0; i < 50; i++) {
      limiter.throttled();
      clock.now += 1000;
    }

    // Assess
    expect(limiter.rate()).toBe(0.5);
  });
});

describe('Function: overrideProblems', () => {
  const listed = exampleCatalog().jobs.find((j) => j.name === 'csv-ingest');
  if (!listed) throw new Error('csv-ingest');
  // The name rules, for a job that accepts any variable name.
  const job = { ...listed, overrides: { ...listed.overrides, environment: true } };

  it.each([
    [{ environment: [{ name: 'BATCH_ROWS', value: '10' }], cpu: 2048, memory: 8192 }, []],
    [
      { environment: [{ name: '1BAD', value: 'x' }] },
      ['environment.1BAD: is not a valid variable name (letters, digits and _, not starting with a digit)'],
    ],
    [
      { environment: [{ name: 'LONGSHORE_RUN_ID', value: 'x' }] },
      ['environment.LONGSHORE_RUN_ID: is reserved: longshore sets LONGSHORE_*, S3_*, SCHEDULED_TIME and AWS_* itself'],
    ],
    [
      { environment: [{ name: 'WAREHOUSE_PASSWORD', value: 'x' }] },
      ["environment.WAREHOUSE_PASSWORD: is a secret of job 'csv-ingest'; secrets come only from their reference"],
    ],
    [{ memory: 9000 }, ['memory 9000 is not valid with cpu 1024; use 2048, 3072, 4096, 5120, 6144, 7168, 8192']],
    [{ cpu: 300 }, ['cpu 300 is not a Fargate cpu; use 256, 512, 1024, 2048, 4096, 8192 or 16384']],
  ])('checks %o', (overrides, problems) => {
    // Act & Assess
    expect(overrideProblems(job, overrides)).toEqual(problems);
  });
});

describe('Function: overrideProblems (what the job accepts)', () => {
  const jobs = exampleCatalog().jobs;
  const csv = jobs.find((j) => j.name === 'csv-ingest');
  const report = jobs.find((j) => j.name === 'nightly-report');
  if (!csv || !report) throw new Error('example jobs');

  it.each([
    [
      'a command, by default',
      csv,
      { command: ['sh', '-c', 'cat /proc/self/environ'] },
      "command: job 'csv-ingest' does not accept a command override (a command runs with the job's secrets and task role; the catalog allows it with overrides: { command: true })",
    ],
    [
      'a variable it does not list',
      csv,
      { environment: [{ name: 'NODE_OPTIONS', value: '--require /tmp/x.js' }] },
      "environment.NODE_OPTIONS: job 'csv-ingest' does not accept it (its overrides.environment allows BATCH_ROWS, SOURCE_DATE)",
    ],
    [
      'a size, when overrides.size is false',
      report,
      { cpu: 2048, memory: 8192 },
      "cpu/memory: job 'nightly-report' does not accept a size override (overrides.size is false)",
    ],
  ])('refuses %s', (_what, job, overrides, problem) => {
    // Act & Assess
    expect(overrideProblems(job, overrides)).toContain(problem);
  });

  it('accepts a command only from a job that allows it, and any variable from one that allows any', () => {
    // Prepare
    const open = { ...csv, overrides: { command: true, environment: true, size: true, image: true } };

    // Act & Assess
    expect(
      overrideProblems(open, { command: ['python', '-m', 'backfill'], environment: [{ name: 'ANY', value: '1' }] }),
    ).toEqual([]);
  });
});
