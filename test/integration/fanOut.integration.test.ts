/**
 * Fan-out (issue 14, section 1) over a real local DynamoDB engine: a parent's children are created
 * exactly once whatever SQS redelivers and wherever a Lambda dies between two writes; each child is
 * launched once with its index and items; the tally counts each child once, fails the parent fast
 * past its tolerance (cancelling the children still running), and `after` follows the parent only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAfterRun } from '../../lib/acceptAfterRun.ts';
import { acceptRuns } from '../../lib/acceptRuns.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { launchMessage } from '../../lib/contracts/launch.ts';
import { parseFinishedRunEvent } from '../../lib/contracts/runEvents.ts';
import { control } from '../../lib/control.ts';
import { childRunId } from '../../lib/domain/fanOut.ts';
import type { Run } from '../../lib/domain/run.ts';
import type { RunEvent } from '../../lib/domain/runEvents.ts';
import { launchBatch } from '../../lib/launchBatch.ts';
import type { LaunchDeps, LaunchEnqueue, RunStore, StopDeps } from '../../lib/ports.ts';
import { finishRun } from '../../lib/runLifecycle.ts';
import { sweep } from '../../lib/sweep.ts';
import { tallyChild } from '../../lib/tallyChild.ts';
import { baseCatalog, baseJob } from '../helpers/catalogs.ts';
import { buildDeps } from '../helpers/fakes.ts';
import { localStore } from '../helpers/localTable.ts';

const catalog = validateCatalog(
  baseCatalog([
    baseJob({ name: 'spread', triggers: [{ type: 'manual' }], fanOut: { items: { count: 1000 } } }),
    baseJob({ name: 'small', triggers: [{ type: 'manual' }], fanOut: { items: { count: 250 }, itemsPerTask: 1 } }),
    baseJob({
      name: 'tolerant',
      triggers: [{ type: 'manual' }],
      fanOut: { items: { count: 20 }, tolerate: 2 },
    }),
    baseJob({
      name: 'chunked',
      triggers: [{ type: 'manual' }],
      fanOut: { items: { count: 10 }, itemsPerTask: 4 },
    }),
    baseJob({
      name: 'paced',
      triggers: [{ type: 'manual' }],
      fanOut: { items: { count: 30 }, maxParallel: 5, tolerate: 1 },
    }),
    baseJob({ name: 'report', triggers: [{ type: 'after', job: 'tolerant', on: ['SUCCEEDED', 'FAILED'] }] }),
  ]),
);
let store: RunStore;
let close: () => void;

beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

type Queue = { take: () => LaunchEnqueue[] };

/**
 * Delivers the queue's messages in batches of 10 until it is empty; a batch that holds a message of
 * one of the `twice` runs (a fan-out parent) is delivered twice, at once.
 */
const drain = async (deps: LaunchDeps, queue: Queue, twice: ReadonlySet<string> = new Set()): Promise<number> => {
  let rounds = 0;
  for (let messages = queue.take(); messages.length > 0 && rounds < 200; messages = queue.take(), rounds++) {
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
      const records = batch.map((m, j) => ({
        messageId: `m${rounds}-${i + j}`,
        body: JSON.stringify({ v: 1, runId: m.runId, attempt: m.attempt }),
      }));
      const copies = batch.some((m) => twice.has(m.runId)) ? 2 : 1;
      await Promise.all(
        Array.from({ length: copies }, () =>
          launchBatch(deps, records, (body) => launchMessage.parse(JSON.parse(body))),
        ),
      );
    }
  }
  return rounds;
};

const startParent = async (deps: LaunchDeps, job: string, token: string): Promise<string> => {
  const [accepted] = await acceptRuns(deps, [
    { job: catalog.jobs.find((j) => j.name === job) as never, trigger: { type: 'manual', token } },
  ]);
  return accepted?.runId ?? '';
};

const childrenOf = async (job: string, parent: string, count: number): Promise<Run[]> =>
  store.getRuns(Array.from({ length: count }, (_, i) => childRunId(job, parent, i)));

/** Every run of a job in the store (the job index, all pages). */
const runsOf = async (job: string): Promise<Run[]> => {
  const runs: Run[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.runsOfJob(job, { limit: 500, ...(cursor ? { cursor } : {}) });
    runs.push(...page.runs);
    cursor = page.cursor;
  } while (cursor);
  return runs;
};

/** The run event as the bus delivers it to onRunFinished. */
const delivered = (e: RunEvent) => ({ version: '0', source: 'longshore', 'detail-type': e.type, detail: e.detail });
const FINISHED = new Set(['Run Succeeded', 'Run Failed', 'Run Timed Out', 'Run Cancelled']);

/** Delivers the final run events published since `from` to onRunFinished's use case, each `copies` times. */
const deliverFinished = async (deps: StopDeps, published: RunEvent[], from: number, copies = 1): Promise<number> => {
  let i = from;
  for (; i < published.length; i++) {
    const e = published[i] as RunEvent;
    if (!FINISHED.has(e.type)) continue;
    for (let c = 0; c < copies; c++)
      await acceptAfterRun(deps, parseFinishedRunEvent(structuredClone(delivered(e))), (child) =>
        tallyChild(deps, child),
      );
  }
  return i;
};

/** Ends a child that has a task, as the settle path does. */
const endChild = (deps: StopDeps, child: Run, to: 'SUCCEEDED' | 'FAILED') =>
  finishRun(deps, child, {
    to,
    from: ['STARTING', 'RUNNING'],
    releaseSlot: true,
    outcome: { exitCode: to === 'SUCCEEDED' ? 0 : 1 },
  });

describe('Fan-out: children created exactly once', () => {
  it("creates and launches 1,000 children once each when each of the parent's messages is delivered twice at once", async () => {
    // Prepare
    const { launch, queue, ecs } = buildDeps(store, catalog);
    const parentId = await startParent(launch, 'spread', 'twice');

    // Act
    await drain(launch, queue, new Set([parentId]));

    // Assess
    const parent = await store.getRun(parentId);
    expect(parent?.status).toBe('RUNNING');
    expect(parent?.fanOut).toEqual({ total: 1000, created: 1000, tolerated: 0 });
    expect(parent?.taskArn).toBeUndefined();
    const runs = await runsOf('spread');
    expect(runs).toHaveLength(1001);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(1001);
    const children = await childrenOf('spread', parentId, 1000);
    expect(children.map((c) => c.parent?.index)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(ecs.tasks()).toHaveLength(1000);
    expect(ecs.calls).toHaveLength(1000);
    expect(new Set(ecs.calls.map((c) => c.startedBy)).size).toBe(1000);
    expect(ecs.calls.some((c) => c.startedBy.includes(parentId))).toBe(false);
  }, 600_000);

  const CRASHES: { point: string; dying: (launch: LaunchDeps, step: { n: number }) => LaunchDeps }[] = [
    {
      point: 'after some children of a step are created',
      dying: (launch, step) => ({
        ...launch,
        store: {
          ...launch.store,
          createRun: async (run) => {
            const out = await launch.store.createRun(run);
            if (run.parent?.index === 142) {
              step.n++;
              throw new Error('Lambda died');
            }
            return out;
          },
        },
      }),
    },
    {
      point: 'after the children are created and before they are queued',
      dying: (launch, step) => ({
        ...launch,
        queue: {
          enqueue: async (messages) => {
            // The children's messages of a step (the parent's own next message goes alone).
            if (messages.length > 1) {
              step.n++;
              throw new Error('Lambda died');
            }
            return launch.queue.enqueue(messages);
          },
        },
      }),
    },
    {
      point: 'after the cursor moved and before the next step is queued',
      dying: (launch, step) => ({
        ...launch,
        store: {
          ...launch.store,
          advanceFanOut: async (...args) => {
            const out = await launch.store.advanceFanOut(...args);
            step.n++;
            throw new Error(`Lambda died (${out ? 'moved' : 'not moved'})`);
          },
        },
      }),
    },
    {
      point: 'after the last step moved the cursor and before the parent is RUNNING',
      dying: (launch, step) => ({
        ...launch,
        store: {
          ...launch.store,
          transition: async (run, spec, now) => {
            if (run.fanOut && spec.to === 'RUNNING') {
              step.n++;
              throw new Error('Lambda died');
            }
            return launch.store.transition(run, spec, now);
          },
        },
      }),
    },
  ];

  for (const crash of CRASHES)
    it(`resumes without a duplicate when the launcher dies ${crash.point}`, async () => {
      // Prepare
      const { launch, queue, ecs } = buildDeps(store, catalog);
      const parentId = await startParent(launch, 'small', crash.point);
      const step = { n: 0 };
      const dying = crash.dying(launch, step);

      // Act: every parent message goes through the dying launcher once (its failure is a batch
      // item failure: SQS delivers it again), then through a healthy one.
      for (let round = 0; round < 20; round++) {
        const messages = queue.take();
        if (messages.length === 0) break;
        for (const m of messages) {
          const body = JSON.stringify({ v: 1, ...m });
          const parse = (b: string) => launchMessage.parse(JSON.parse(b));
          if (m.runId === parentId) {
            const first = await launchBatch(dying, [{ messageId: 'd', body }], parse);
            if (first.batchItemFailures.length > 0) await launchBatch(launch, [{ messageId: 'r', body }], parse);
          } else await launchBatch(launch, [{ messageId: 'c', body }], parse);
        }
      }
      await drain(launch, queue);

      // Assess
      expect(step.n).toBeGreaterThan(0);
      const parent = await store.getRun(parentId);
      expect(parent?.status).toBe('RUNNING');
      expect(parent?.fanOut?.created).toBe(250);
      const children = await childrenOf('small', parentId, 250);
      expect(children).toHaveLength(250);
      expect(children.every((c) => c.status === 'STARTING')).toBe(true);
      expect(ecs.tasks()).toHaveLength(250);
      expect(ecs.calls).toHaveLength(250);
      expect((await runsOf('small')).filter((r) => r.parent?.runId === parentId)).toHaveLength(250);
    }, 240_000);
});

describe('Fan-out: each child gets its chunk', () => {
  it('gives every child its index, the count and its items, up to itemsPerTask each', async () => {
    // Prepare
    const { launch, queue, ecs } = buildDeps(store, catalog);
    const parentId = await startParent(launch, 'chunked', 'env');

    // Act
    await drain(launch, queue);

    // Assess
    const envs = ecs.calls.map((c) =>
      Object.fromEntries((c.overrides.containerOverrides[0]?.environment ?? []).map((e) => [e.name, e.value])),
    );
    const byIndex = envs.sort((a, b) => Number(a.LONGSHORE_INDEX) - Number(b.LONGSHORE_INDEX));
    expect(
      byIndex.map((e) => [e.LONGSHORE_INDEX, e.LONGSHORE_COUNT, e.LONGSHORE_ITEMS, e.LONGSHORE_PARENT_RUN_ID]),
    ).toEqual([
      ['0', '3', '[0,1,2,3]', parentId],
      ['1', '3', '[4,5,6,7]', parentId],
      ['2', '3', '[8,9]', parentId],
    ]);
  });
});

describe('Fan-out: the tally', () => {
  it('fails the parent at the third failure with 2 tolerated, once, and cancels the children still running', async () => {
    // Prepare
    const { core, launch, queue, ecs, events } = buildDeps(store, catalog);
    const deps: StopDeps = { ...core, ecs };
    const parentId = await startParent(launch, 'tolerant', 'fail-fast');
    await drain(launch, queue);
    const children = await childrenOf('tolerant', parentId, 20);
    let seen = events.published.length;

    // Act: five succeed, then children 5, 6 and 7 fail; every final event is delivered twice.
    for (const child of children.slice(0, 5)) await endChild(deps, child, 'SUCCEEDED');
    seen = await deliverFinished(deps, events.published, seen, 2);
    await endChild(deps, children[5] as Run, 'FAILED');
    await endChild(deps, children[6] as Run, 'FAILED');
    seen = await deliverFinished(deps, events.published, seen, 2);
    const afterTwo = await store.getRun(parentId);
    await endChild(deps, children[7] as Run, 'FAILED');
    seen = await deliverFinished(deps, events.published, seen, 2);

    // Assess
    expect(afterTwo?.status).toBe('RUNNING');
    const parent = await store.getRun(parentId);
    expect(parent?.status).toBe('FAILED');
    expect(parent?.childCounts).toEqual({ SUCCEEDED: 5, FAILED: 3 });
    expect(parent?.failedChildren).toEqual([5, 6, 7]);
    expect(parent?.reason).toBe('3 of 20 children failed, more than the 2 tolerated (index 5, 6, 7)');
    const parentEvents = events.published.filter((e) => e.detail.runId === parentId).map((e) => e.type);
    expect(new Set(parentEvents)).toEqual(new Set(['Run Started', 'Run Failed']));
    const failedEvent = events.published.find((e) => e.detail.runId === parentId && e.type === 'Run Failed');
    expect(failedEvent?.detail.children).toEqual({ SUCCEEDED: 5, FAILED: 3 });
    // The 12 children still running are being cancelled: their tasks are asked to stop.
    const rest = await childrenOf('tolerant', parentId, 20);
    expect(rest.slice(8).map((c) => c.status)).toEqual(Array(12).fill('CANCELLING'));
    expect(ecs.stopped).toHaveLength(12);
  });

  it('succeeds with 2 of 20 failed and 2 tolerated, publishes one Run Succeeded with the counts, and `after` follows the parent once', async () => {
    // Prepare
    const { core, launch, queue, ecs, events } = buildDeps(store, catalog);
    const deps: StopDeps = { ...core, ecs };
    const parentId = await startParent(launch, 'tolerant', 'within');
    await drain(launch, queue);
    const children = await childrenOf('tolerant', parentId, 20);
    let seen = events.published.length;

    // Act: children end in reverse order, 3 and 11 fail; every final event is delivered 3 times.
    for (const child of [...children].reverse()) {
      await endChild(deps, child, [3, 11].includes(child.parent?.index ?? -1) ? 'FAILED' : 'SUCCEEDED');
      seen = await deliverFinished(deps, events.published, seen, 3);
    }
    await drain(launch, queue);

    // Assess
    const parent = await store.getRun(parentId);
    expect(parent?.status).toBe('SUCCEEDED');
    expect(parent?.childCounts).toEqual({ SUCCEEDED: 18, FAILED: 2 });
    expect(parent?.failedChildren).toEqual([3, 11]);
    const succeeded = events.published.filter((e) => e.detail.runId === parentId && e.type === 'Run Succeeded');
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(new Set(succeeded.map((e) => e.detail.eventId)).size).toBe(1);
    const reports = (await runsOf('report')).filter(
      (r) => r.trigger.type === 'after' && r.trigger.upstream.runId === parentId,
    );
    expect(reports).toHaveLength(1);
    const childIds = new Set(children.map((c) => c.runId));
    expect(
      (await runsOf('report')).some((r) => r.trigger.type === 'after' && childIds.has(r.trigger.upstream.runId)),
    ).toBe(false);
    const childEvent = events.published.find((e) => e.detail.runId === children[3]?.runId && e.type === 'Run Failed');
    expect(childEvent?.detail.parentRunId).toBe(parentId);
  });

  it('cancels, instead of launching, a child whose launch message comes after its parent failed', async () => {
    // Prepare: the parent expands; its children's launch messages wait; the parent is failed.
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const parentId = await startParent(launch, 'chunked', 'late-children');
    const parentMessage = queue.take();
    await launchBatch(
      launch,
      parentMessage.map((m, i) => ({ messageId: `p${i}`, body: JSON.stringify({ v: 1, ...m }) })),
      (b) => launchMessage.parse(JSON.parse(b)),
    );
    const parent = (await store.getRun(parentId)) as Run;
    await finishRun(core, parent, { to: 'FAILED', from: ['RUNNING'], reason: 'failed by hand', releaseSlot: false });

    // Act
    await drain(launch, queue);

    // Assess
    expect(ecs.calls).toHaveLength(0);
    const children = await childrenOf('chunked', parentId, 3);
    expect(children.map((c) => [c.status, c.reason])).toEqual(
      Array(3).fill(['CANCELLED', `parent ${parentId} is failed`]),
    );
  });

  it("decides a parent whose children's final events were all lost, at the sweep after it went quiet", async () => {
    // Prepare: every child of 'chunked' ends, and no final event reaches onRunFinished.
    const { core, launch, queue, ecs, clock } = buildDeps(store, catalog);
    const deps: StopDeps = { ...core, ecs };
    const parentId = await startParent(launch, 'chunked', 'lost-events');
    await drain(launch, queue);
    for (const child of await childrenOf('chunked', parentId, 3)) await endChild(deps, child, 'SUCCEEDED');
    await sweep({ ...deps, ecs, scheduleArn: () => 'arn:s' });
    const early = await store.getRun(parentId);

    // Act
    clock.advance(601);
    await sweep({ ...deps, ecs, scheduleArn: () => 'arn:s' });

    // Assess
    expect(early?.status).toBe('RUNNING');
    const parent = await store.getRun(parentId);
    expect(parent?.status).toBe('SUCCEEDED');
    expect(parent?.childCounts).toEqual({ SUCCEEDED: 3 });
  });
});

describe('Fan-out: cancelling a parent', () => {
  it('cancels the parent at once and asks the tasks of its running children to stop', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const parentId = await startParent(launch, 'chunked', 'cancel-parent');
    await drain(launch, queue);

    // Act
    const answer = await control({ ...core, ecs }, { action: 'cancel', runId: parentId });

    // Assess
    expect(answer).toMatchObject({ action: 'cancel', runId: parentId, status: 'CANCELLED' });
    const children = await childrenOf('chunked', parentId, 3);
    expect(children.map((c) => c.status)).toEqual(['CANCELLING', 'CANCELLING', 'CANCELLING']);
    expect(ecs.stopped).toHaveLength(3);
  });
});

describe('Fan-out: maxParallel', () => {
  // A table of its own: its sweep, 16 minutes on, would otherwise look at every run the tests above
  // left (a thousand children whose tasks the fake ECS does not describe: closed as lost, retried).
  let closeOwn: () => void = () => undefined;
  beforeAll(async () => {
    ({ store, close: closeOwn } = await localStore());
  });
  afterAll(() => closeOwn());

  it('never has more than 5 children launched and not ended, whatever the sweeper requeues, and launches all 30 once', async () => {
    // Prepare
    const { core, launch, queue, ecs, events, clock } = buildDeps(store, catalog);
    const deps: StopDeps = { ...core, ecs };
    const parentId = await startParent(launch, 'paced', 'five-at-once');
    let seen = events.published.length;
    const active = async () =>
      (await childrenOf('paced', parentId, 30)).filter((c) => c.status === 'STARTING' || c.status === 'RUNNING');
    const observed: number[] = [];

    // Act: launch what may launch; a sweep long after (held children are not requeued); then, round
    // after round, the launched children end (one of them fails) and their ends release others.
    // The parent expands now; its first five children launch 14 minutes later; the sweep comes 2
    // minutes after that: the held children are 16 minutes old (a queued run that old is requeued),
    // the launched ones 2 (not yet looked up in ECS).
    const expansion = queue.take();
    await launchBatch(
      launch,
      expansion.map((m, i) => ({ messageId: `p${i}`, body: JSON.stringify({ v: 1, ...m }) })),
      (b) => launchMessage.parse(JSON.parse(b)),
    );
    clock.advance(14 * 60);
    await drain(launch, queue);
    observed.push((await active()).length);
    clock.advance(2 * 60);
    await sweep({ ...core, ecs, scheduleArn: () => 'arn:s' });
    await drain(launch, queue);
    observed.push((await active()).length);
    for (let round = 0; round < 40; round++) {
      const running = await active();
      if (running.length === 0) break;
      // Two at a time, in index order: a release may come before the others end.
      for (const child of running.slice(0, 2))
        await endChild(deps, child, child.parent?.index === 7 ? 'FAILED' : 'SUCCEEDED');
      seen = await deliverFinished(deps, events.published, seen, 2);
      await drain(launch, queue);
      observed.push((await active()).length);
    }

    // Assess
    expect(Math.max(...observed)).toBe(5);
    expect(observed.every((n) => n <= 5)).toBe(true);
    // This parent's children only: the sweep also looks at the runs other tests left in the table.
    const ours = new Set(Array.from({ length: 30 }, (_, i) => childRunId('paced', parentId, i)));
    const launches = ecs.calls.filter((c) => ours.has(c.startedBy.split('/')[2] ?? ''));
    expect(launches).toHaveLength(30);
    expect(new Set(launches.map((c) => c.startedBy)).size).toBe(30);
    const parent = await store.getRun(parentId);
    expect(parent?.status).toBe('SUCCEEDED');
    expect(parent?.childCounts).toEqual({ SUCCEEDED: 29, FAILED: 1 });
  }, 240_000);

  it('cancels the held children when the parent fails fast, through the launcher', async () => {
    // Prepare
    const { core, launch, queue, ecs, events } = buildDeps(store, catalog);
    const deps: StopDeps = { ...core, ecs };
    const parentId = await startParent(launch, 'paced', 'held-then-failed');
    await drain(launch, queue);
    const seen = events.published.length;

    // Act: two of the five running children fail (1 tolerated).
    const running = (await childrenOf('paced', parentId, 30)).filter((c) => c.status === 'STARTING');
    await endChild(deps, running[0] as Run, 'FAILED');
    await endChild(deps, running[1] as Run, 'FAILED');
    await deliverFinished(deps, events.published, seen);
    await drain(launch, queue);

    // Assess
    expect((await store.getRun(parentId))?.status).toBe('FAILED');
    const children = await childrenOf('paced', parentId, 30);
    const byStatus = children.reduce<Record<string, number>>((m, c) => {
      m[c.status] = (m[c.status] ?? 0) + 1;
      return m;
    }, {});
    // 2 failed, the 3 still running are being cancelled, at most 2 were released and cancelled or
    // launched meanwhile, and every held child is CANCELLED without a task.
    expect(byStatus.QUEUED ?? 0).toBe(0);
    expect(children.filter((c) => c.heldByParent && c.status !== 'CANCELLED')).toEqual([]);
    expect(ecs.calls.length).toBeLessThanOrEqual(7);
  });
});

describe('Fan-out: runs retry PARENT --failed', () => {
  /** A 'tolerant' parent (20 children, 2 tolerated) whose children `failing` fail and the others succeed. */
  const finishedParent = async (token: string, failing: number[]) => {
    const built = buildDeps(store, catalog);
    const deps: StopDeps = { ...built.core, ecs: built.ecs };
    const parentId = await startParent(built.launch, 'tolerant', token);
    await drain(built.launch, built.queue);
    let seen = built.events.published.length;
    for (const child of await childrenOf('tolerant', parentId, 20)) {
      await endChild(deps, child, failing.includes(child.parent?.index ?? -1) ? 'FAILED' : 'SUCCEEDED');
      seen = await deliverFinished(deps, built.events.published, seen);
    }
    return { ...built, deps, parentId };
  };

  it("runs again only the failed children's items, as a new parent of 2 children, once however often it is asked", async () => {
    // Prepare
    const { deps, launch, queue, ecs, parentId } = await finishedParent('retry-within', [3, 11]);
    const original = await childrenOf('tolerant', parentId, 20);
    expect((await store.getRun(parentId))?.status).toBe('SUCCEEDED');

    // Act: the same request three times (a person repeating the command with its token)
    const request = { action: 'retry' as const, runId: parentId, clientToken: 'again', failed: true };
    const first = await control(deps, request);
    const second = await control(deps, request);
    await drain(launch, queue, new Set([first.runId]));
    const third = await control(deps, request);

    // Assess
    expect(first.created).toBe(true);
    expect([second.runId, third.runId]).toEqual([first.runId, first.runId]);
    expect([second.created, third.created]).toEqual([false, false]);
    const retry = await store.getRun(first.runId);
    expect(retry?.itemsOf).toEqual({ runId: parentId, indices: [3, 11] });
    expect(retry?.status).toBe('RUNNING');
    expect(retry?.fanOut).toMatchObject({ total: 2, created: 2 });
    const children = await childrenOf('tolerant', first.runId, 3);
    expect(children.map((c) => c.parent)).toEqual([
      { runId: first.runId, index: 0, count: 2, items: original[3]?.parent?.items },
      { runId: first.runId, index: 1, count: 2, items: original[11]?.parent?.items },
    ]);
    // Each new child launched once (one clientToken each, whatever was delivered twice).
    const tokens = (runId: string) =>
      new Set(ecs.calls.filter((c) => c.startedBy.includes(`/${runId}/`)).map((c) => c.clientToken));
    expect(children.slice(0, 2).map((c) => tokens(c.runId).size)).toEqual([1, 1]);
    expect(children[2]).toBeUndefined();
  });

  it('retries every child that did not succeed after a fail-fast, the ones still being stopped included', async () => {
    // Prepare: 5 succeed, 3 fail, the parent fails fast and the 12 others are still CANCELLING
    const { core, launch, queue, ecs, events } = buildDeps(store, catalog);
    const deps: StopDeps = { ...core, ecs };
    const parentId = await startParent(launch, 'tolerant', 'retry-fail-fast');
    await drain(launch, queue);
    const children = await childrenOf('tolerant', parentId, 20);
    let seen = events.published.length;
    for (const child of children.slice(0, 5)) await endChild(deps, child, 'SUCCEEDED');
    for (const child of children.slice(5, 8)) await endChild(deps, child, 'FAILED');
    seen = await deliverFinished(deps, events.published, seen);
    expect((await store.getRun(parentId))?.status).toBe('FAILED');

    // Act
    const answer = await control(deps, { action: 'retry', runId: parentId, clientToken: 'rest', failed: true });
    await drain(launch, queue);

    // Assess
    const retry = await store.getRun(answer.runId);
    expect(retry?.itemsOf?.indices).toEqual(Array.from({ length: 15 }, (_, i) => i + 5));
    const retried = await childrenOf('tolerant', answer.runId, 15);
    expect(retried.map((c) => c.parent?.items)).toEqual(children.slice(5).map((c) => c.parent?.items));
  });

  it('refuses --failed on a run that is not a fan-out parent, on a parent whose children all succeeded, and a token used without it', async () => {
    // Prepare
    const { deps, parentId } = await finishedParent('retry-refusals', []);
    const withFailure = await finishedParent('retry-refusals-2', [4]);
    const [child] = await childrenOf('tolerant', parentId, 1);
    const plain = await control(deps, { action: 'retry', runId: withFailure.parentId, clientToken: 'plain' });

    // Act
    const asks = [
      control(deps, { action: 'retry', runId: child?.runId ?? '', clientToken: 'c1', failed: true }),
      control(deps, { action: 'retry', runId: parentId, clientToken: 'c2', failed: true }),
      control(deps, { action: 'retry', runId: withFailure.parentId, clientToken: 'plain', failed: true }),
    ];

    // Assess
    expect(plain.created).toBe(true);
    await expect(asks[0]).rejects.toThrow(/is a child of fan-out run .*; retry it with --failed on that run/);
    await expect(asks[1]).rejects.toThrow(/Every one of run .*'s 20 children succeeded; there is no failed item/);
    await expect(asks[2]).rejects.toThrow(/already used for run .*, a retry of every item; use a new token/);
  });
});
