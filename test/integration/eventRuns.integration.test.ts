/**
 * Any event as a trigger (issue 14, section 4) over a real local DynamoDB engine: an EventBridge
 * event or an SQS message delivered any number of times, in parallel, or again after a crash
 * between two writes, is one run per declared identity and one task; the job's concurrency limit
 * holds for these runs as for every other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptEvent, acceptMessages } from '../../lib/acceptEvent.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { parseEventDelivery } from '../../lib/contracts/customEvents.ts';
import { launchMessage } from '../../lib/contracts/launch.ts';
import { runIdFor } from '../../lib/domain/runId.ts';
import { launchBatch } from '../../lib/launchBatch.ts';
import type { CoreDeps, LaunchDeps, LaunchEnqueue, RunStore } from '../../lib/ports.ts';
import { baseCatalog, baseJob } from '../helpers/catalogs.ts';
import { buildDeps } from '../helpers/fakes.ts';
import { localStore } from '../helpers/localTable.ts';

const QUEUE = 'arn:aws:sqs:eu-west-1:111122223333:orders';
const SERIAL_QUEUE = 'arn:aws:sqs:eu-west-1:111122223333:serial';
const catalog = validateCatalog(
  baseCatalog([
    baseJob({
      name: 'orders',
      triggers: [
        {
          type: 'event',
          pattern: { source: ['acme.shop'], 'detail-type': ['Order Placed'] },
          environment: { ORDER_ID: '$.detail.orderId', FIRST_SKU: '$.detail.items[0].sku' },
          identity: '$.detail.orderId',
        },
        { type: 'sqs', queue: QUEUE, environment: { ORDER_ID: '$.body.orderId' }, identity: '$.body.orderId' },
      ],
    }),
    // A second job on the same queue, by message id: one message, two runs (one each).
    baseJob({ name: 'audit', triggers: [{ type: 'sqs', queue: QUEUE }] }),
    // One run at a time, from its own queue.
    baseJob({
      name: 'serial',
      maxConcurrent: 1,
      triggers: [{ type: 'sqs', queue: SERIAL_QUEUE, identity: '$.body.orderId' }],
    }),
  ]),
);
let store: RunStore;
let close: () => void;

beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

/** An Order Placed event as the orders job's rule delivers it (wrapped by its input transformer). */
const placed = (orderId: string, eventId = `e-${orderId}`) =>
  parseEventDelivery({
    longshore: 'event',
    job: 'orders',
    trigger: 0,
    event: {
      version: '0',
      id: eventId,
      source: 'acme.shop',
      'detail-type': 'Order Placed',
      detail: { orderId, items: [{ sku: 'MUG-RED' }] },
    },
  });
const message = (messageId: string, orderId: string, queue = QUEUE) => ({
  messageId,
  body: JSON.stringify({ orderId }),
  eventSource: 'aws:sqs',
  eventSourceARN: queue,
});
const queueKeyOf = (arn: string) => ([QUEUE, SERIAL_QUEUE].includes(arn) ? arn : undefined);

const drain = async (deps: LaunchDeps, queue: { take: () => LaunchEnqueue[] }): Promise<void> => {
  for (let messages = queue.take(); messages.length > 0; messages = queue.take()) {
    const records = messages.map((m, i) => ({ messageId: `m${i}`, body: JSON.stringify({ v: 1, ...m }) }));
    await launchBatch(deps, records, (body) => launchMessage.parse(JSON.parse(body)));
  }
};

const envOf = (
  ecs: {
    calls: {
      startedBy: string;
      overrides: { containerOverrides: { environment: { name: string; value: string }[] }[] };
    }[];
  },
  runId: string,
) =>
  Object.fromEntries(
    (ecs.calls.find((c) => c.startedBy.includes(runId))?.overrides.containerOverrides[0]?.environment ?? []).map(
      (p) => [p.name, p.value],
    ),
  );

describe('Event triggers: one run per identity', () => {
  it('starts one run and one task for an event delivered 3 times, twice in parallel, and for the order sent again as a new event', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);

    // Act
    await acceptEvent(core, placed('o-1'));
    await Promise.all([1, 2].map(() => acceptEvent(core, placed('o-1'))));
    await drain(launch, queue);
    const resent = await acceptEvent(core, placed('o-1', 'e-other'));
    await drain(launch, queue);

    // Assess
    const runId = runIdFor('orders', { type: 'event', identity: ['o-1'] });
    expect(resent).toMatchObject({ runId, created: false });
    expect((await store.runsOfJob('orders', { limit: 10 })).runs.map((r) => r.runId)).toEqual([runId]);
    expect(ecs.calls).toHaveLength(1);
    expect(envOf(ecs, runId)).toMatchObject({
      ORDER_ID: 'o-1',
      FIRST_SKU: 'MUG-RED',
      LONGSHORE_TRIGGER: 'event',
      LONGSHORE_EVENT_ID: 'e-o-1',
    });
  });

  it('after a crash between creating the run and queueing it, the redelivery queues it once', async () => {
    // Prepare: the first delivery dies at enqueue (the run is written, nothing is queued).
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const crashing: CoreDeps = {
      ...core,
      queue: {
        enqueue: async () => {
          throw new Error('Lambda timed out');
        },
      },
    };

    // Act
    const first = await acceptEvent(crashing, placed('o-crash')).catch((e: Error) => e.message);
    const again = await acceptEvent(core, placed('o-crash'));
    await drain(launch, queue);

    // Assess
    expect(first).toBe('Lambda timed out');
    expect(again).toMatchObject({ created: false, queued: true });
    expect(ecs.calls).toHaveLength(1);
  });
});

describe('Sqs triggers: one run per identity and job', () => {
  it('starts one run per job for a message received 3 times, twice in parallel batches, and one task each', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    const m = message('msg-1', 'o-10');

    // Act
    const first = await acceptMessages(core, [m], queueKeyOf);
    const parallel = await Promise.all([1, 2].map(() => acceptMessages(core, [structuredClone(m)], queueKeyOf)));
    await drain(launch, queue);

    // Assess
    const orders = runIdFor('orders', { type: 'sqs', identity: ['o-10'] });
    const audit = runIdFor('audit', { type: 'sqs', identity: ['msg-1'] });
    expect(first.runs.map((r) => [r.runId, r.created])).toEqual([
      [orders, true],
      [audit, true],
    ]);
    expect(parallel.flatMap((p) => p.runs.map((r) => r.created))).toEqual([false, false, false, false]);
    expect([first, ...parallel].flatMap((p) => p.batchItemFailures)).toEqual([]);
    expect(ecs.calls.map((c) => c.startedBy.split('/')[2]).sort()).toEqual([audit, orders].sort());
    expect(envOf(ecs, orders)).toMatchObject({
      ORDER_ID: 'o-10',
      LONGSHORE_MESSAGE_ID: 'msg-1',
      LONGSHORE_QUEUE_ARN: QUEUE,
    });
  });

  it('after a crash between the first and the second create, reports the message; its next receive creates only the second', async () => {
    // Prepare: the first receive dies writing the audit run.
    const { core, launch, queue, ecs } = buildDeps(store, catalog);
    let creates = 0;
    const crashing: CoreDeps = {
      ...core,
      store: {
        ...store,
        createRun: async (r) => {
          creates++;
          if (creates === 2) throw new Error('Lambda timed out');
          return store.createRun(r);
        },
      },
    };
    const m = message('msg-crash', 'o-11');

    // Act
    const first = await acceptMessages(crashing, [m], queueKeyOf);
    const again = await acceptMessages(core, [m], queueKeyOf);
    await drain(launch, queue);

    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'msg-crash' }]);
    expect(again.runs.map((r) => [r.job, r.created])).toEqual([
      ['orders', false],
      ['audit', true],
    ]);
    expect(ecs.calls).toHaveLength(2);
  });

  it('holds the job to maxConcurrent: a second message waits for the slot the first run holds', async () => {
    // Prepare
    const { core, launch, queue, ecs } = buildDeps(store, catalog);

    // Act
    const out = await acceptMessages(
      core,
      [message('msg-a', 'o-20', SERIAL_QUEUE), message('msg-b', 'o-21', SERIAL_QUEUE)],
      queueKeyOf,
    );
    await drain(launch, queue);

    // Assess
    expect(out.runs.map((r) => r.created)).toEqual([true, true]);
    expect(ecs.calls).toHaveLength(1);
    const runs = await Promise.all(
      ['o-20', 'o-21'].map((o) => store.getRun(runIdFor('serial', { type: 'sqs', identity: [o] }))),
    );
    expect(runs.map((r) => r?.status).sort()).toEqual(['QUEUED', 'STARTING']);
    expect(runs.find((r) => r?.status === 'QUEUED')?.waitingForSlot).toBe(true);
  });
});
