/**
 * Every table access pattern against a real local DynamoDB engine: conditional creates, transitions
 * that only apply from the right state, the attempt lease, concurrency slots under a race, and the
 * queries (queued oldest first, active runs, runs of a job newest first).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { newRun } from '../../lib/domain/newRun.ts';
import type { Run } from '../../lib/domain/run.ts';
import type { RunStore } from '../../lib/ports.ts';
import { baseCatalog, baseJob } from '../helpers/catalogs.ts';
import { localStore } from '../helpers/localTable.ts';

const job = validateCatalog(baseCatalog([baseJob({ maxConcurrent: 3 })])).jobs[0] as NonNullable<
  ReturnType<typeof validateCatalog>['jobs'][0]
>;
const at = (iso: string) => new Date(iso);
const manualRun = (token: string, now = at('2026-11-22T10:00:00Z')): Run =>
  newRun({ job, trigger: { type: 'manual', token } }, now);

let store: RunStore;
let close: () => void;

beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

describe('RunStore: createRun', () => {
  it('creates a run once; a duplicate gets the existing run back', async () => {
    // Prepare
    const run = manualRun('create-once');

    // Act
    const first = await store.createRun(run);
    const second = await store.createRun({ ...run, createdAt: '2030-01-01T00:00:00.000Z' });

    // Assess
    expect(first.created).toBe(true);
    expect(second).toEqual({ created: false, run: first.run });
  });

  it('keeps only one run when 20 deliveries of one trigger race', async () => {
    // Prepare
    const run = manualRun('create-race');

    // Act
    const results = await Promise.all(Array.from({ length: 20 }, () => store.createRun(run)));

    // Assess
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.run.runId)).size).toBe(1);
  });
});

describe('RunStore: transition', () => {
  it('applies only from the listed statuses and at the given attempt', async () => {
    // Prepare
    const { run } = await store.createRun(manualRun('transition'));
    const now = at('2026-11-22T10:01:00Z');

    // Act
    const wrongAttempt = await store.transition(run, { from: ['QUEUED'], attempt: 2, to: 'STARTING' }, now);
    const started = await store.transition(
      run,
      { from: ['QUEUED'], attempt: 1, to: 'STARTING', set: { taskArn: 'arn:task/1' } },
      now,
    );
    const again = await store.transition(run, { from: ['QUEUED'], attempt: 1, to: 'STARTING' }, now);

    // Assess
    expect(wrongAttempt).toBeUndefined();
    expect(started).toMatchObject({ status: 'STARTING', taskArn: 'arn:task/1', updatedAt: now.toISOString() });
    expect(again).toBeUndefined();
  });

  it('never leaves a final status', async () => {
    // Prepare
    const { run } = await store.createRun(manualRun('final'));
    await store.transition(run, { from: ['QUEUED'], to: 'CANCELLED' }, at('2026-11-22T10:01:00Z'));

    // Act
    const reopened = await store.transition(
      run,
      { from: ['QUEUED', 'STARTING', 'RUNNING'], to: 'RUNNING' },
      at('2026-11-22T10:02:00Z'),
    );

    // Assess
    expect(reopened).toBeUndefined();
    expect((await store.getRun(run.runId))?.status).toBe('CANCELLED');
  });
});

describe('RunStore: claimAttempt', () => {
  const init = (run: Run) => ({
    runId: run.runId,
    attempt: 1,
    clientToken: 't'.repeat(64),
    capacityProvider: 'FARGATE',
    cpu: 512,
    memory: 1024,
  });

  it('lets one of many racing launchers claim an attempt', async () => {
    // Prepare
    const { run } = await store.createRun(manualRun('claim-race'));

    // Act
    const claims = await Promise.all(
      Array.from({ length: 10 }, () => store.claimAttempt(init(run), at('2026-11-22T10:00:00Z'), 120)),
    );

    // Assess
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    expect(claims.find((c) => !c.claimed)?.attempt).toMatchObject({
      status: 'LAUNCHING',
      leaseUntil: '2026-11-22T10:02:00.000Z',
    });
  });

  it('lets a launcher take over an attempt whose lease ran out, keeping its first request time', async () => {
    // Prepare
    const { run } = await store.createRun(manualRun('claim-takeover'));
    await store.claimAttempt(init(run), at('2026-11-22T10:00:00Z'), 120);

    // Act
    const early = await store.claimAttempt(init(run), at('2026-11-22T10:01:00Z'), 120);
    const late = await store.claimAttempt(init(run), at('2026-11-22T10:03:00Z'), 120);

    // Assess
    expect(early.claimed).toBe(false);
    expect(late.claimed).toBe(true);
    expect(late.attempt.launchRequestedAt).toBe('2026-11-22T10:00:00.000Z');
  });

  it('refuses to claim an attempt that has a task, and returns it', async () => {
    // Prepare
    const { run } = await store.createRun(manualRun('claim-launched'));
    await store.claimAttempt(init(run), at('2026-11-22T10:00:00Z'), 120);
    await store.recordLaunched(run, 'arn:task/launched', at('2026-11-22T10:00:01Z'));

    // Act
    const claim = await store.claimAttempt(init(run), at('2026-11-22T11:00:00Z'), 120);

    // Assess
    expect(claim).toMatchObject({ claimed: false, attempt: { status: 'STARTING', taskArn: 'arn:task/launched' } });
  });

  it('records a launch after the task event moved the attempt on, without going back', async () => {
    // Prepare
    const { run } = await store.createRun(manualRun('launch-late'));
    await store.claimAttempt(init(run), at('2026-11-22T10:00:00Z'), 120);
    await store.applyTaskEvent(
      { runId: run.runId, attempt: 1 },
      { taskArn: 'arn:task/late', version: 3 },
      { status: 'RUNNING' },
    );
    await store.transition(run, { from: ['QUEUED'], attempt: 1, to: 'RUNNING' }, at('2026-11-22T10:00:02Z'));

    // Act
    const updated = await store.recordLaunched(run, 'arn:task/late', at('2026-11-22T10:00:03Z'));

    // Assess
    expect(updated.run).toBeUndefined();
    expect(updated.attempt).toMatchObject({ status: 'RUNNING', taskArn: 'arn:task/late' });
    const history = await store.getHistory(run.runId);
    expect(history?.run.status).toBe('RUNNING');
    expect(history?.attempts[0]).toMatchObject({ status: 'RUNNING', taskArn: 'arn:task/late', taskVersion: 3 });
  });
});

describe('RunStore: concurrency slots', () => {
  it('never lets more than 3 of 50 racing runs hold a slot of a job limited to 3', async () => {
    // Prepare
    const runs = Array.from({ length: 50 }, (_, i) => `slot-race-${i}`);

    // Act
    const slots = await Promise.all(runs.map((r) => store.acquireSlot('race-job', 3, r, at('2026-11-22T10:00:00Z'))));

    // Assess
    const winners = slots.filter((s) => s !== undefined);
    expect(winners).toHaveLength(3);
    expect(new Set(winners)).toEqual(new Set([0, 1, 2]));
    expect(await store.slotHolders('race-job')).toHaveLength(3);
  });

  it('gives a run its own slot back, frees only the holder, and hands the slot on', async () => {
    // Prepare
    const first = await store.acquireSlot('hand-on', 1, 'run-a', at('2026-11-22T10:00:00Z'));

    // Act
    const again = await store.acquireSlot('hand-on', 1, 'run-a', at('2026-11-22T10:00:01Z'));
    const blocked = await store.acquireSlot('hand-on', 1, 'run-b', at('2026-11-22T10:00:01Z'));
    const wrongRelease = await store.releaseSlot('hand-on', 0, 'run-b');
    const release = await store.releaseSlot('hand-on', 0, 'run-a');
    const next = await store.acquireSlot('hand-on', 1, 'run-b', at('2026-11-22T10:00:02Z'));

    // Assess
    expect([first, again, blocked, wrongRelease, release, next]).toEqual([0, 0, undefined, false, true, 0]);
  });
});

describe('RunStore: alert markers', () => {
  const T0 = at('2026-11-22T10:00:00Z');

  it('lets one of 20 racing invocations take an alert, and no one once it is sent', async () => {
    // Prepare
    const key = { runId: manualRun('alert-race').runId, what: 'FAILED' as const };

    // Act
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.claimAlert(key, `req-${i}`, T0, 45, 1_900_000_000)),
    );
    const winner = claims.findIndex((c) => c.claimed);
    await store.recordAlertSent(key, `req-${winner}`, 'sns', true);
    const later = await store.claimAlert(key, 'req-late', at('2026-11-23T10:00:00Z'), 45, 1_900_000_000);

    // Assess
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    expect(later).toEqual({ claimed: false, why: 'sent', sent: ['sns'] });
  });

  it('hands an alert whose holder died to the next invocation once the lease is over, with what was sent', async () => {
    // Prepare
    const key = { runId: manualRun('alert-died').runId, what: 'TIMED_OUT' as const };
    await store.claimAlert(key, 'died', T0, 45, 1_900_000_000);
    await store.recordAlertSent(key, 'died', 'sns', false);

    // Act
    const during = await store.claimAlert(key, 'next', at('2026-11-22T10:00:30Z'), 45, 1_900_000_000);
    const retryOfHolder = await store.claimAlert(key, 'died', at('2026-11-22T10:00:30Z'), 45, 1_900_000_000);
    const after = await store.claimAlert(key, 'next', at('2026-11-22T10:02:00Z'), 45, 1_900_000_000);
    const lateRecord = await store.recordAlertSent(key, 'died', 'webhook', true);
    const record = await store.recordAlertSent(key, 'next', 'webhook', true);

    // Assess
    expect(during).toEqual({ claimed: false, why: 'in-progress', sent: ['sns'] });
    expect(retryOfHolder).toEqual({ claimed: true, sent: ['sns'] });
    expect(after).toEqual({ claimed: true, sent: ['sns'] });
    expect([lateRecord, record]).toEqual([false, true]);
    expect(await store.claimAlert(key, 'x', at('2026-11-24T00:00:00Z'), 45, 1)).toEqual({
      claimed: false,
      why: 'sent',
      sent: ['sns', 'webhook'],
    });
  });
});

describe('RunStore: queries', () => {
  it('lists queued runs of a job oldest first and leaves final runs out of the active index', async () => {
    // Prepare
    const name = 'query-job';
    const jobQ = { ...job, name };
    const mk = (token: string, iso: string) => newRun({ job: jobQ, trigger: { type: 'manual', token } }, at(iso));
    const newer = (await store.createRun(mk('q-newer', '2026-11-22T10:05:00Z'))).run;
    const older = (await store.createRun(mk('q-older', '2026-11-22T10:01:00Z'))).run;
    const done = (await store.createRun(mk('q-done', '2026-11-22T10:00:00Z'))).run;
    const running = (await store.createRun(mk('q-running', '2026-11-22T09:00:00Z'))).run;
    await store.transition(done, { from: ['QUEUED'], to: 'SUCCEEDED' }, at('2026-11-22T10:06:00Z'));
    await store.transition(running, { from: ['QUEUED'], to: 'RUNNING' }, at('2026-11-22T10:06:00Z'));

    // Act
    const queued = await store.queuedRuns(name, 10);
    const active = await store.activeRuns(name);

    // Assess
    expect(queued.map((r) => r.runId)).toEqual([older.runId, newer.runId]);
    expect(active.map((r) => r.runId).sort()).toEqual([older.runId, newer.runId, running.runId].sort());
  });

  it('lists runs of a job newest first, since a time, page by page', async () => {
    // Prepare
    const name = 'list-job';
    const jobL = { ...job, name };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (
          await store.createRun(
            newRun({ job: jobL, trigger: { type: 'manual', token: `l${i}` } }, at(`2026-11-2${i}T10:00:00Z`)),
          )
        ).run.runId,
      );
    }

    // Act
    const page1 = await store.runsOfJob(name, { limit: 2 });
    const page2 = await store.runsOfJob(name, { limit: 2, ...(page1.cursor ? { cursor: page1.cursor } : {}) });
    const since = await store.runsOfJob(name, { limit: 10, since: '2026-11-23' });

    // Assess
    expect(page1.runs.map((r) => r.runId)).toEqual([ids[4], ids[3]]);
    expect(page2.runs.map((r) => r.runId)).toEqual([ids[2], ids[1]]);
    expect(since.runs.map((r) => r.runId)).toEqual([ids[4], ids[3]]);
  });

  it('returns a run with its attempts, and records published events idempotently', async () => {
    // Prepare
    const { run } = await store.createRun(manualRun('history'));
    await store.claimAttempt(
      { runId: run.runId, attempt: 1, capacityProvider: 'FARGATE', cpu: 512, memory: 1024 },
      at('2026-11-22T10:00:00Z'),
      120,
    );

    // Act
    await store.markPublished(run.runId, ['started#1']);
    await store.markPublished(run.runId, ['started#1', 'failed#1']);
    const history = await store.getHistory(run.runId);

    // Assess
    expect(history?.run.published).toEqual(['failed#1', 'started#1']);
    expect(history?.attempts.map((a) => a.attempt)).toEqual([1]);
    expect(await store.getHistory('nope-aaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
  });
});
