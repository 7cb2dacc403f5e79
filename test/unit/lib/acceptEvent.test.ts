/**
 * Any event as a trigger (issue 14, section 4): the catalog's event and sqs triggers, what they
 * take from an event or a message (identity, environment), and the use cases over the store's
 * conditional create. One run per identity under duplicate delivery is proven over DynamoDB Local
 * in test/integration/eventRuns.integration.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { buildHandler as onEventHandler } from '../../../functions/onEvent/handler.ts';
import { buildHandler as onMessageHandler } from '../../../functions/onMessage/handler.ts';
import { acceptEvent, acceptMessages } from '../../../lib/acceptEvent.ts';
import type { EventTrigger, JobInput } from '../../../lib/catalog/schema.ts';
import { validateCatalog } from '../../../lib/catalog/validate.ts';
import { parseQueues } from '../../../lib/config.ts';
import { parseEventDelivery } from '../../../lib/contracts/customEvents.ts';
import { parsePath, pathProblem, readPath } from '../../../lib/domain/eventPath.ts';
import {
  extract,
  MAX_EVENT_ENVIRONMENT_CHARS,
  MAX_EVENT_VALUE_CHARS,
  matchingEventTriggers,
} from '../../../lib/domain/eventTrigger.ts';
import type { newRun } from '../../../lib/domain/newRun.ts';
import { runIdFor } from '../../../lib/domain/runId.ts';
import { triggerEnvironment } from '../../../lib/domain/taskRequest.ts';
import { CatalogError, InvalidEventError, RequestRejectedError } from '../../../lib/errors.ts';
import { baseCatalog, baseJob, exampleCatalog } from '../../helpers/catalogs.ts';
import { loadEvent } from '../../helpers/events.ts';
import { buildDeps, fakeStore } from '../../helpers/fakes.ts';
import { lambdaContext } from '../../helpers/lambda.ts';

const problemsOf = (triggers: unknown[], overrides: Partial<JobInput> = {}): readonly string[] => {
  try {
    validateCatalog(baseCatalog([baseJob({ triggers: triggers as never, ...overrides })]));
  } catch (e) {
    if (e instanceof CatalogError) return e.problems;
    throw e;
  }
  return [];
};

const orderEvent = () => loadEvent<Record<string, unknown>>('order-placed');
const delivery = () => loadEvent<Record<string, unknown>>('order-placed-delivery');
const RESEND = 'arn:aws:sqs:eu-west-1:123456789012:acme-orders-resend';
const resendKey = 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:acme-orders-resend';
const queues = new Map([[RESEND, resendKey]]);
const message = (body: unknown, messageId = 'm-1', queue = RESEND) => ({
  messageId,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  eventSource: 'aws:sqs',
  eventSourceARN: queue,
});
const eventTrigger = (t: Partial<EventTrigger>): EventTrigger => ({
  type: 'event',
  pattern: { source: ['acme.shop'] },
  environment: {},
  identity: '$.id',
  ...t,
});

describe('Function: validateCatalog (event and sqs triggers)', () => {
  it('accepts both kinds and defaults identity to the event id and the message id', () => {
    // Act
    const catalog = validateCatalog(
      baseCatalog([
        baseJob({
          triggers: [
            { type: 'event', pattern: { source: ['acme.shop'] } },
            { type: 'sqs', queue: 'arn:aws:sqs:eu-west-1:111122223333:orders' },
          ],
        }),
      ]),
    );

    // Assess
    expect(catalog.jobs[0]?.triggers).toEqual([
      { type: 'event', pattern: { source: ['acme.shop'] }, environment: {}, identity: '$.id' },
      { type: 'sqs', queue: 'arn:aws:sqs:eu-west-1:111122223333:orders', environment: {}, identity: '$.messageId' },
    ]);
  });

  it.each([
    [
      'a bad pattern, naming its path',
      [{ type: 'event', pattern: { detail: { total: [{ numeric: ['>', 'zero'] }] } } }],
      `job 'thumbs': triggers[0].pattern.detail.total[0]: "zero" after > is not a number`,
    ],
    [
      'a path outside the subset',
      [{ type: 'event', pattern: { source: ['a'] }, environment: { ITEMS: '$.detail.items[*].sku' } }],
      "job 'thumbs': triggers[0].environment.ITEMS: '$.detail.items[*].sku' is not a supported path",
    ],
    [
      'a path that is the whole event',
      [{ type: 'event', pattern: { source: ['a'] }, environment: { ALL: '$' } }],
      "'$' is the whole document",
    ],
    [
      'a reserved variable name',
      [{ type: 'event', pattern: { source: ['a'] }, environment: { LONGSHORE_RUN_ID: '$.id' } }],
      "job 'thumbs': triggers[0].environment.LONGSHORE_RUN_ID: is reserved",
    ],
    [
      'a variable name that is not one',
      [{ type: 'event', pattern: { source: ['a'] }, environment: { 'ORDER-ID': '$.id' } }],
      'is not a valid variable name',
    ],
    [
      "a variable the container's environment also sets",
      [{ type: 'event', pattern: { source: ['a'] }, environment: { MODE: '$.detail.mode' } }],
      "job 'thumbs': triggers[0].environment.MODE: is also set by the job's container",
    ],
    [
      'a bus given as an ARN',
      [{ type: 'event', bus: 'arn:aws:events:eu-west-1:1:event-bus/x', pattern: { source: ['a'] } }],
      "triggers[0].bus: 'arn:aws:events:eu-west-1:1:event-bus/x' is not an event bus name",
    ],
    ['an empty identity list', [{ type: 'event', pattern: { source: ['a'] }, identity: [] }], 'needs 1-5 paths'],
    [
      'a queue that is not an SQS ARN',
      [{ type: 'sqs', queue: 'https://sqs.eu-west-1.amazonaws.com/1/orders' }],
      "triggers[0].queue: 'https://sqs.eu-west-1.amazonaws.com/1/orders' is not an SQS queue ARN",
    ],
    [
      "a queue's kmsKey given as an alias, which IAM cannot grant kms:Decrypt on",
      [{ type: 'sqs', queue: 'arn:aws:sqs:eu-west-1:111122223333:q', kmsKey: 'alias/orders' }],
      "triggers[0].kmsKey: 'alias/orders' is not a KMS key ARN",
    ],
    [
      'an sqs identity on a field that changes between receives',
      [{ type: 'sqs', queue: 'arn:aws:sqs:eu-west-1:111122223333:q', identity: '$.receiptHandle' }],
      "an sqs identity is '$.messageId' or paths into the body",
    ],
  ])('refuses %s', (_name, triggers, expected) => {
    // Act
    const problems = problemsOf(triggers, { container: { image: 'x:1', environment: { MODE: 'fast' } } });

    // Assess
    expect(problems.join('\n')).toContain(expected);
  });
});

describe('Function: parsePath / readPath', () => {
  it.each([
    ['$.detail.orderId', 'o-20261122-0042'],
    ['$.detail.items[0].sku', 'MUG-RED'],
    ['$.detail.items[1].qty', 1],
    ['$.detail-type', 'Order Placed'],
  ])('reads %s', (path, expected) => {
    // Act
    const value = readPath(parsePath(path) ?? [], orderEvent());

    // Assess
    expect(value).toEqual(expected);
  });

  it.each(['detail.id', '$..id', '$.items[*]', "$['id']", '$.a[01]', '$.a[-1]', '$.1a', '$.a.'])(
    'refuses %s',
    (path) => {
      // Assess
      expect(pathProblem(path)).toMatch(/is not a supported path/);
    },
  );
});

describe('Function: extract', () => {
  it('takes strings as they are, numbers as JSON text, objects and lists as JSON', () => {
    // Act
    const taken = extract(
      eventTrigger({
        environment: { ID: '$.detail.orderId', TOTAL: '$.detail.total', ITEM: '$.detail.items[0]' },
        identity: ['$.source', '$.detail.orderId'],
      }),
      orderEvent(),
    );

    // Assess
    expect(taken).toEqual({
      ok: true,
      identity: ['acme.shop', 'o-20261122-0042'],
      environment: { ID: 'o-20261122-0042', TOTAL: '42.5', ITEM: '{"sku":"MUG-RED","qty":2}' },
    });
  });

  it('refuses a missing or null path, a control character and an oversized value, naming the variable but not the value', () => {
    // Prepare
    const e = orderEvent();
    const detail = e.detail as Record<string, unknown>;
    detail.note = 'line\u0007bell';
    detail.coupon = null;
    detail.blob = 'x'.repeat(MAX_EVENT_VALUE_CHARS + 1);

    // Act
    const taken = extract(
      eventTrigger({
        environment: {
          GONE: '$.detail.refundId',
          PAST: '$.detail.items[5].sku',
          COUPON: '$.detail.coupon',
          NOTE: '$.detail.note',
          BLOB: '$.detail.blob',
        },
        identity: '$.detail.customerId',
      }),
      e,
    );

    // Assess
    expect(taken).toEqual({
      ok: false,
      problems: [
        'identity: $.detail.customerId is not in the event',
        'GONE: $.detail.refundId is not in the event',
        'PAST: $.detail.items[5].sku is not in the event',
        'COUPON: $.detail.coupon is null in the event',
        'NOTE: the value at $.detail.note holds a control character (U+0007)',
        `BLOB: the value at $.detail.blob is ${MAX_EVENT_VALUE_CHARS + 1} characters; at most ${MAX_EVENT_VALUE_CHARS}`,
      ],
    });
    expect(JSON.stringify(taken)).not.toContain('bell');
  });

  it('refuses variables that together exceed the environment budget', () => {
    // Prepare
    const e = orderEvent();
    (e.detail as Record<string, unknown>).big = 'y'.repeat(4000);
    const environment = { A: '$.detail.big', B: '$.detail.big' };

    // Act
    const taken = extract(eventTrigger({ environment }), e);

    // Assess
    expect(taken).toEqual({
      ok: false,
      problems: [`environment: the variables are 8002 characters together; at most ${MAX_EVENT_ENVIRONMENT_CHARS}`],
    });
  });
});

describe('Function: matchingEventTriggers', () => {
  it("finds the example's order-fulfilment on the shop bus only, and not for a test order", () => {
    // Prepare
    const catalog = exampleCatalog();
    const test = orderEvent();
    (test.detail as Record<string, unknown>).channel = 'test';

    // Act
    const onShop = matchingEventTriggers(catalog, orderEvent(), 'acme-shop');
    const onDefault = matchingEventTriggers(catalog, orderEvent(), 'default');
    const testOrder = matchingEventTriggers(catalog, test, 'acme-shop');

    // Assess
    expect(onShop.map((m) => [m.job.name, m.triggerIndex])).toEqual([['order-fulfilment', 0]]);
    expect([onDefault, testOrder]).toEqual([[], []]);
  });
});

describe('Function: acceptEvent', () => {
  it("creates the run whose id derives from the trigger's identity and queues it; the task gets the variables", async () => {
    // Prepare
    const store = fakeStore({ createRun: async (run) => ({ created: true, run }) });
    const { core, queue } = buildDeps(store, exampleCatalog());

    // Act
    const run = await acceptEvent(core, parseEventDelivery(delivery()));

    // Assess
    const runId = runIdFor('order-fulfilment', { type: 'event', identity: ['o-20261122-0042'] });
    expect(run).toEqual({ runId, job: 'order-fulfilment', created: true, status: 'QUEUED', queued: true });
    expect(queue.sent).toEqual([{ runId, attempt: 1 }]);
    const created = store.calls[0]?.args[0] as ReturnType<typeof newRun>;
    expect(triggerEnvironment('test', created)).toEqual({
      LONGSHORE_STAGE: 'test',
      LONGSHORE_JOB: 'order-fulfilment',
      LONGSHORE_RUN_ID: runId,
      LONGSHORE_ATTEMPT: '1',
      LONGSHORE_TRIGGER: 'event',
      ORDER_ID: 'o-20261122-0042',
      ORDER_TOTAL: '42.5',
      FIRST_SKU: 'MUG-RED',
      LONGSHORE_EVENT_ID: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      LONGSHORE_EVENT_SOURCE: 'acme.shop',
      LONGSHORE_EVENT_DETAIL_TYPE: 'Order Placed',
    });
  });

  it('names the same run for a redelivery, and for the same order sent again as another event', async () => {
    // Prepare
    const existing = new Map<string, unknown>();
    const store = fakeStore({
      createRun: async (run) => {
        const found = existing.get(run.runId);
        if (found) return { created: false, run: found as typeof run };
        existing.set(run.runId, run);
        return { created: true, run };
      },
    });
    const { core } = buildDeps(store, exampleCatalog());
    const again = delivery();
    (again.event as Record<string, unknown>).id = 'another-event-id';

    // Act
    const first = await acceptEvent(core, parseEventDelivery(delivery()));
    const redelivered = await acceptEvent(core, parseEventDelivery(delivery()));
    const resent = await acceptEvent(core, parseEventDelivery(again));

    // Assess
    expect([first.created, redelivered.created, resent.created]).toEqual([true, false, false]);
    expect(new Set([first.runId, redelivered.runId, resent.runId]).size).toBe(1);
  });

  it('rejects an event that cannot become a run, and a trigger the catalog does not have, before any write', async () => {
    // Prepare
    const store = fakeStore();
    const { core } = buildDeps(store, exampleCatalog());
    const noOrder = delivery();
    delete ((noOrder.event as Record<string, unknown>).detail as Record<string, unknown>).orderId;

    // Act
    const missing = acceptEvent(core, parseEventDelivery(noOrder));
    const stale = acceptEvent(core, parseEventDelivery({ ...delivery(), trigger: 1 }));

    // Assess
    await expect(missing).rejects.toThrow(RequestRejectedError);
    await expect(missing).rejects.toThrow(
      'cannot start order-fulfilment: identity: $.detail.orderId is not in the event; ORDER_ID: $.detail.orderId is not in the event',
    );
    await expect(stale).rejects.toThrow('job order-fulfilment has no event trigger #1 in this catalog');
    expect(store.calls).toEqual([]);
  });
});

describe('Handler: onEvent', () => {
  it('refuses a delivery without the wrapped event, naming the field', async () => {
    // Prepare
    const store = fakeStore();
    const handler = onEventHandler(buildDeps(store, exampleCatalog()).core);

    // Act
    const out = handler(orderEvent(), lambdaContext('longshore-test-onEvent'));

    // Assess
    await expect(out).rejects.toThrow(InvalidEventError);
    await expect(out).rejects.toThrow('longshore:');
    expect(store.calls).toEqual([]);
  });
});

describe('Function: acceptMessages and the onMessage handler', () => {
  it('creates one run per message, and reports only the messages that cannot become runs', async () => {
    // Prepare
    const store = fakeStore({ createRun: async (run) => ({ created: true, run }) });
    const { core, queue } = buildDeps(store, exampleCatalog());
    const records = [
      message({ orderId: 'o-1', total: 5, items: [{ sku: 'A' }] }, 'ok'),
      message('not json', 'text'),
      message({ total: 5, items: [{ sku: 'A' }] }, 'no-order'),
      message({ orderId: 'o-2', total: 5, items: [{ sku: 'B' }] }, 'other-queue', 'arn:aws:sqs:eu-west-1:1:nope'),
      { body: '{}' },
    ];

    // Act
    const out = await acceptMessages(core, records, (arn) => queues.get(arn));

    // Assess
    expect(out.batchItemFailures).toEqual([
      { itemIdentifier: 'text' },
      { itemIdentifier: 'no-order' },
      { itemIdentifier: 'other-queue' },
      { itemIdentifier: '' },
    ]);
    const runId = runIdFor('order-fulfilment', { type: 'sqs', identity: ['o-1'] });
    expect(out.runs.map((r) => r.runId)).toEqual([runId]);
    expect(queue.sent).toEqual([{ runId, attempt: 1 }]);
  });

  it('reports a message whose run could not be written, for the queue to deliver again', async () => {
    // Prepare
    const store = fakeStore({
      createRun: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
      },
    });
    const handler = onMessageHandler(buildDeps(store, exampleCatalog()).core, parseQueues(`${resendKey}=${RESEND}`));

    // Act
    const out = await handler(
      { Records: [message({ orderId: 'o-3', total: 1, items: [{ sku: 'C' }] }, 'throttled')] },
      lambdaContext('longshore-test-onMessage'),
    );

    // Assess
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'throttled' }] });
  });
});
