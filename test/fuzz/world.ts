/**
 * The world a generated history runs in: a clock, the real handlers (functions/<name>/handler.ts
 * `buildHandler`) with the real adapters, the real run store on the local DynamoDB engine, and
 * simulations of the rest of AWS at the SDK's level that behave as AWS documents: ECS (./ecs.ts),
 * the launch queue (SQS standard: at least once, delays, visibility timeout, redrive after 10
 * receives), the run-event bus (PutEvents partial failures; alert events delivered at least once by
 * the deployed rule's pattern), SNS, a webhook, and Lambda itself (async invocations retried twice,
 * a minute then two apart, then dead-lettered; the launcher's batch partially failed). Every AWS call
 * of every invocation goes through the port wrapper (./invocation.ts): one at a time, crashes,
 * faults. Log lines and metrics are captured per invocation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildHandler as alertHandler } from '../../functions/alert/handler.ts';
import { buildHandler as controlHandler } from '../../functions/control/handler.ts';
import { buildHandler as launcherHandler } from '../../functions/launcher/handler.ts';
import { buildHandler as onEventHandler } from '../../functions/onEvent/handler.ts';
import { buildHandler as onMessageHandler } from '../../functions/onMessage/handler.ts';
import { buildHandler as onRunFinishedHandler } from '../../functions/onRunFinished/handler.ts';
import { buildHandler as onScheduleHandler } from '../../functions/onSchedule/handler.ts';
import { buildHandler as onTaskStateChangeHandler } from '../../functions/onTaskStateChange/handler.ts';
import { buildHandler as onUploadHandler } from '../../functions/onUpload/handler.ts';
import { buildHandler as sweeperHandler } from '../../functions/sweeper/handler.ts';
import { buildEcs } from '../../lib/aws/ecs.ts';
import { buildRunEventPublisher } from '../../lib/aws/eventbridge.ts';
import { buildRunStore } from '../../lib/aws/runStore.ts';
import { buildAlertTopic } from '../../lib/aws/sns.ts';
import { buildLaunchQueue } from '../../lib/aws/sqs.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import { functionName } from '../../lib/domain/names.ts';
import { afterPattern, alertPattern, taskStatePattern } from '../../lib/infra/triggers.ts';
import type { FunctionKey } from '../../lib/local/functionKeys.ts';
import { lambdaContext } from '../../lib/local/lambdaContext.ts';
import type { MetricsPort } from '../../lib/metrics.ts';
import type { AlertMessage, CoreDeps } from '../../lib/ports.ts';
import { TEST_ACCOUNT, TEST_REGION } from '../helpers/environment.ts';
import { matchesPattern } from '../helpers/eventPattern.ts';
import { fakeSchedules, fakeTaskDefinitions } from '../helpers/fakes.ts';
import { FakeEcs, type FakeTask, type LaunchFate, type TaskFate } from './ecs.ts';
import {
  type CrashPlan,
  FaultInjector,
  Gate,
  gatedSend,
  type InjectedFault,
  Invocation,
  LambdaDiedError,
  sdkError,
} from './invocation.ts';
import { Rng } from './rng.ts';

export const STAGE = 'test';
export const CLUSTER_ARN = `arn:aws:ecs:${TEST_REGION}:${TEST_ACCOUNT}:cluster/longshore-${STAGE}`;
const QUEUE_URL = `https://sqs.${TEST_REGION}.amazonaws.com/${TEST_ACCOUNT}/longshore-${STAGE}-launch`;
const NETWORKS = {
  default: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: false },
};
/** SQS: the launch queue's visibility timeout and redrive (lib/infra/platform.ts). */
const VISIBILITY_MS = 360_000;
const MAX_RECEIVES = 10;
/** Lambda async invocations: 2 retries, about 1 and 2 minutes apart (aws-facts §f). */
const ASYNC_ATTEMPTS = 3;
const ASYNC_RETRY_MS = [60_000, 120_000];
/** The CLI asks the control function again, with the same client token, after a failure. */
const CONTROL_ATTEMPTS = 3;

const KIND: Record<FunctionKey, 'async' | 'sqs' | 'sync'> = {
  onUpload: 'async',
  onSchedule: 'async',
  onTaskStateChange: 'async',
  sweeper: 'async',
  alert: 'async',
  onRunFinished: 'async',
  onEvent: 'async',
  launcher: 'sqs',
  onMessage: 'sqs',
  control: 'sync',
};

export interface Delivery {
  id: number;
  fn: Exclude<FunctionKey, 'launcher'>;
  event: unknown;
  /** 1 for the first delivery; Lambda's retries count up. */
  attempt: number;
  dueAt: number;
  /** The same across Lambda's retries of one event, as Lambda keeps it. */
  requestId: string;
  /** A control request: what the CLI asked for (for the trigger invariant). */
  label: string;
}

interface QueuedMessage {
  id: string;
  body: string;
  visibleAt: number;
  receives: number;
}

export interface LogLine {
  inv: number;
  level: string;
  text: string;
}

export interface InvocationRecord {
  inv: Invocation;
  event: unknown;
  ok: boolean;
  result?: unknown;
  error?: Error;
  /** Errors thrown out of a port method that carry injected fault tokens. */
  escaped: { tokens: string[]; message: string }[];
  faultMetrics: string[];
}

export interface WorldOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  catalog: Catalog;
  seed: number;
  faultRate: number;
  /** Chance that one more copy of an event is delivered (at least once). */
  dupRate: number;
  /** Crashes by the invocation they hit (0-based order of invocations). */
  crashes: Map<number, CrashPlan>;
  launchFates: readonly LaunchFate[];
  taskFates: readonly TaskFate[];
}

const als = new AsyncLocalStorage<Invocation>();
let captureInstalled = false;
let captureSink: ((inv: Invocation, level: string, text: string) => void) | undefined;

/** Console lines (the logger prints through console in dev mode) go to the invocation that wrote them. */
const installCapture = (): void => {
  if (captureInstalled) return;
  captureInstalled = true;
  for (const level of ['debug', 'info', 'warn', 'error', 'log'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      const inv = als.getStore();
      if (inv && captureSink) captureSink(inv, level, args.map(String).join(' '));
      else original(...args);
    };
  }
};

const TOKEN = /fault#L?\d+/g;
const tokensIn = (e: unknown): string[] => {
  const texts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    texts.push(String((cur as Error).message ?? cur));
    cur = (cur as { cause?: unknown }).cause;
  }
  return [...new Set(texts.join(' ').match(TOKEN) ?? [])];
};

export class World {
  now = Date.parse('2026-11-22T08:00:00.000Z');
  private timers: { id: number; at: number; fn: () => void }[] = [];
  private timerSeq = 0;
  readonly pool: Delivery[] = [];
  private deliverySeq = 0;
  readonly queue: QueuedMessage[] = [];
  private messageSeq = 0;
  readonly launchDlq: QueuedMessage[] = [];
  readonly eventsDlq: { fn: FunctionKey; event: unknown; error: string }[] = [];
  readonly ecs: FakeEcs;
  readonly published: { type: string; detail: Record<string, unknown>; at: number }[] = [];
  readonly sns: (AlertMessage & { at: number; inv: number })[] = [];
  readonly webhooks: { body: Record<string, unknown>; inv: number }[] = [];
  readonly records: InvocationRecord[] = [];
  readonly logs: LogLine[] = [];
  readonly metrics: { inv: number; job: string; name: string; value: number }[] = [];
  readonly controlAnswers: { label: string; answer: unknown }[] = [];
  readonly faults: FaultInjector;
  readonly stats = {
    invocations: 0,
    eventsDelivered: 0,
    duplicatesDelivered: 0,
    crashes: 0,
    concurrentDeliveries: 0,
    sweeps: 0,
    retriedBySdk: 0,
  };
  private readonly rng: Rng;
  private readonly gate: Gate;
  private readonly worldRng: Rng;
  private launchFateSeq = 0;
  private taskFateSeq = 0;
  private invocationSeq = 0;
  private requestSeq = 0;
  private lastSweep = 0;

  constructor(readonly opts: WorldOptions) {
    this.rng = new Rng(opts.seed);
    this.gate = new Gate(this.rng.fork());
    this.faults = new FaultInjector(this.rng.fork(), opts.faultRate);
    this.worldRng = this.rng.fork();
    this.lastSweep = this.now;
    this.ecs = new FakeEcs({
      now: () => this.now,
      at: (at, fn) => this.at(at, fn),
      cancel: (id) => {
        this.timers = this.timers.filter((t) => t.id !== id);
      },
      emit: (task) => this.emitTaskEvent(task),
      launchFate: () => this.nextLaunchFate(),
      taskFate: () =>
        opts.taskFates[this.taskFateSeq++ % Math.max(1, opts.taskFates.length)] ?? {
          kind: 'exit',
          code: 0,
          afterSeconds: 60,
        },
      sizeOf: (job) => opts.catalog.jobs.find((j) => j.name === job)?.size ?? { cpu: 512, memory: 1024 },
      clusterArn: CLUSTER_ARN,
    });
    installCapture();
  }

  private nextLaunchFate(): LaunchFate {
    const fate = this.opts.launchFates[this.launchFateSeq++ % Math.max(1, this.opts.launchFates.length)] ?? {
      kind: 'ok',
    };
    // The fate's text carries a token too, so its log line can be traced like an injected fault.
    if (fate.kind === 'failure')
      return { ...fate, detail: `${fate.detail ?? 'refused'} (injected fault#L${this.launchFateSeq})` };
    if (fate.kind === 'exception')
      return { ...fate, message: `${fate.message} (injected fault#L${this.launchFateSeq})` };
    return fate;
  }

  // -- the clock ---------------------------------------------------------------------------------

  at(at: number, fn: () => void): number {
    const id = ++this.timerSeq;
    this.timers.push({ id, at, fn });
    return id;
  }

  /** Moves the clock to `to`, running what falls due on the way, in order. */
  advanceTo(to: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > to) break;
      this.timers.shift();
      this.now = Math.max(this.now, next.at);
      next.fn();
    }
    this.now = Math.max(this.now, to);
  }

  advance(seconds: number): void {
    this.advanceTo(this.now + seconds * 1000);
  }

  /** When something will happen by itself next (a task change, a delivery, a message), if anything. */
  nextWakeUp(): number | undefined {
    const times = [
      ...this.timers.map((t) => t.at),
      ...this.pool.map((d) => d.dueAt),
      ...this.queue.map((m) => m.visibleAt),
    ];
    return times.length ? Math.min(...times) : undefined;
  }

  hasPendingWork(): boolean {
    return this.timers.length > 0 || this.pool.length > 0 || this.queue.length > 0;
  }

  // -- events in ---------------------------------------------------------------------------------

  /** An event for a function, delivered `copies` times (at least once: duplicates are normal). */
  deliverLater(fn: Delivery['fn'], event: unknown, copies = 1, label = ''): void {
    const requestId = `req-${++this.requestSeq}`;
    for (let i = 0; i < copies; i++) {
      if (i > 0) this.stats.duplicatesDelivered++;
      this.pool.push({
        id: ++this.deliverySeq,
        fn,
        event: structuredClone(event),
        attempt: 1,
        dueAt: this.now,
        requestId: i === 0 ? requestId : `req-${++this.requestSeq}`,
        label,
      });
    }
  }

  private copies(): number {
    let n = 1;
    while (n < 3 && this.worldRng.chance(this.opts.dupRate)) n++;
    return n;
  }

  private emitTaskEvent(task: FakeTask): void {
    const event = {
      version: '0',
      id: `ecs-${task.taskArn.slice(-8)}-${task.version}`,
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: TEST_ACCOUNT,
      time: new Date(this.now).toISOString(),
      region: TEST_REGION,
      resources: [task.taskArn],
      detail: this.ecs.describe(task, true),
    };
    // The deployed rule's own pattern decides what reaches onTaskStateChange (RUNNING and STOPPED).
    if (!matchesPattern(taskStatePattern(STAGE, CLUSTER_ARN) as never, event as never)) return;
    this.deliverLater('onTaskStateChange', event, this.copies());
  }

  /** Due deliveries, in the order the history's seed says (EventBridge and Lambda do not keep order). */
  due(): Delivery[] {
    return this.pool.filter((d) => d.dueAt <= this.now);
  }

  takeDue(): Delivery | undefined {
    const due = this.due();
    if (due.length === 0) return undefined;
    const d = due[this.worldRng.int(due.length)] as Delivery;
    this.pool.splice(this.pool.indexOf(d), 1);
    return d;
  }

  // -- AWS services ------------------------------------------------------------------------------

  private sendMessages(
    inv: Invocation,
    input: { Entries?: { Id?: string; MessageBody?: string; DelaySeconds?: number }[] },
  ) {
    const failed: { Id: string; Code: string; Message: string; SenderFault: boolean }[] = [];
    const successful: { Id: string; MessageId: string }[] = [];
    for (const e of input.Entries ?? []) {
      const fault = this.faults.entry(inv, 'SQS', 'SendMessageBatch', 'InternalError');
      if (fault) {
        failed.push({
          Id: String(e.Id),
          Code: 'InternalError',
          Message: `injected ${fault.token}`,
          SenderFault: false,
        });
        continue;
      }
      for (let copy = 0; copy < (this.worldRng.chance(this.opts.dupRate / 2) ? 2 : 1); copy++) {
        this.queue.push({
          id: `m${++this.messageSeq}`,
          body: String(e.MessageBody),
          visibleAt: this.now + (e.DelaySeconds ?? 0) * 1000,
          receives: 0,
        });
      }
      successful.push({ Id: String(e.Id), MessageId: `m${this.messageSeq}` });
    }
    return { Successful: successful, Failed: failed };
  }

  private putEvents(inv: Invocation, input: { Entries?: { Source?: string; DetailType?: string; Detail?: string }[] }) {
    const entries = (input.Entries ?? []).map((e) => {
      const fault = this.faults.entry(inv, 'EventBridge', 'PutEvents', 'InternalFailure');
      if (fault) return { ErrorCode: 'InternalFailure', ErrorMessage: `injected ${fault.token}` };
      const detail = JSON.parse(String(e.Detail)) as Record<string, unknown>;
      this.published.push({ type: String(e.DetailType), detail, at: this.now });
      const event = {
        version: '0',
        id: `run-event-${this.published.length}`,
        'detail-type': e.DetailType,
        source: e.Source,
        account: TEST_ACCOUNT,
        time: new Date(this.now).toISOString(),
        region: TEST_REGION,
        resources: [],
        detail,
      };
      if (matchesPattern(alertPattern() as never, event as never)) this.deliverLater('alert', event, this.copies());
      // Jobs that run after jobs: the same bus delivers finished runs to onRunFinished (none in a
      // catalog without after triggers).
      const after = afterPattern(STAGE, this.opts.catalog);
      if (after && matchesPattern(after as never, event as never))
        this.deliverLater('onRunFinished', event, this.copies());
      return { EventId: `e${this.published.length}` };
    });
    return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
  }

  private publish(
    inv: Invocation,
    input: { Subject?: string; Message?: string; MessageAttributes?: Record<string, { StringValue?: string }> },
  ) {
    this.sns.push({
      subject: String(input.Subject),
      text: String(input.Message),
      attributes: Object.fromEntries(
        Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, String(v.StringValue)]),
      ),
      at: this.now,
      inv: inv.id,
    });
    return { MessageId: `sns-${this.sns.length}` };
  }

  // -- invocations -------------------------------------------------------------------------------

  private depsFor(inv: Invocation, record: InvocationRecord) {
    const ctx = {
      gate: this.gate,
      faults: this.faults,
    };
    const client = <T>(
      service: string,
      real: (c: { constructor: { name: string }; input?: unknown }) => Promise<unknown>,
    ) => ({ send: gatedSend(ctx, inv, service, real) }) as unknown as T;
    const observe = <P extends object>(port: P): P =>
      Object.fromEntries(
        Object.entries(port).map(([name, fn]) => [
          name,
          async (...args: unknown[]) => {
            try {
              return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
            } catch (e) {
              const tokens = tokensIn(e);
              if (tokens.length > 0 && !(e instanceof LambdaDiedError))
                record.escaped.push({ tokens, message: String((e as Error).message) });
              throw e;
            }
          },
        ]),
      ) as P;
    const doc = client<DynamoDBDocumentClient>('DynamoDB', (c) => this.opts.doc.send(c as never));
    const ecs = observe(buildEcs(client<ECSClient>('ECS', async (c) => this.ecs.handle(c))));
    const queue = observe(
      buildLaunchQueue(
        client<SQSClient>('SQS', async (c) => this.sendMessages(inv, (c.input ?? {}) as never)),
        QUEUE_URL,
      ),
    );
    const events = observe(
      buildRunEventPublisher(
        client<EventBridgeClient>('EventBridge', async (c) => this.putEvents(inv, (c.input ?? {}) as never)),
        `longshore-${STAGE}-runs`,
      ),
    );
    const topic = observe(
      buildAlertTopic(
        client<SNSClient>('SNS', async (c) => this.publish(inv, (c.input ?? {}) as never)),
        `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:longshore-${STAGE}-alerts`,
      ),
    );
    const webhook = client<{ send: (c: unknown) => Promise<unknown> }>('Webhook', async (c) => {
      this.webhooks.push({ body: (c.input ?? {}) as Record<string, unknown>, inv: inv.id });
      return {};
    });
    class PostCommand {
      constructor(readonly input: unknown) {}
    }
    const metrics: MetricsPort = {
      record: (job, name, value) => void this.metrics.push({ inv: inv.id, job, name, value }),
      fault: (kind) => void record.faultMetrics.push(kind),
    };
    const store = observe(buildRunStore(doc, this.opts.table));
    const core: CoreDeps = {
      settings: { stage: STAGE, clusterArn: CLUSTER_ARN },
      store,
      queue,
      events,
      catalog: () => this.opts.catalog,
      now: () => new Date(this.now),
      metrics,
    };
    const post = observe({
      post: async (_url: string, body: unknown) => {
        await webhook.send(new PostCommand(body));
      },
    });
    return { core, ecs, topic, post: post.post, store, metrics };
  }

  private handlerFor(fn: FunctionKey, d: ReturnType<World['depsFor']>) {
    const { core, ecs } = d;
    switch (fn) {
      case 'onUpload':
        return onUploadHandler(core);
      case 'onSchedule':
        return onScheduleHandler({ ...core, ecs });
      case 'control':
        return controlHandler({ ...core, ecs, schedules: fakeSchedules() });
      case 'onTaskStateChange':
        return onTaskStateChangeHandler(core);
      case 'onRunFinished':
        return onRunFinishedHandler({ ...core, ecs });
      // The generated catalogs have no event or sqs triggers: these never receive anything here.
      case 'onEvent':
        return onEventHandler(core);
      case 'onMessage':
        return onMessageHandler(core, new Map());
      case 'sweeper':
        return sweeperHandler({ ...core, ecs });
      case 'launcher':
        return launcherHandler({
          ...core,
          ecs,
          // The generated runs ask for no other image: a launch never reaches the task definitions.
          taskDefinitions: fakeTaskDefinitions(),
          networks: NETWORKS,
          pace: async () => undefined,
          random: () => 0.5,
        });
      case 'alert':
        return alertHandler({
          catalog: core.catalog,
          topic: d.topic,
          secret: async () => 'https://hooks.fuzz.example/ops/T000',
          post: d.post,
          store: d.store,
          now: core.now,
          metrics: d.metrics,
        });
    }
  }

  /** Runs one invocation of `fn` on `event`; what it did is in `records`. */
  async invoke(fn: FunctionKey, event: unknown, requestId: string, lastAttempt: boolean): Promise<InvocationRecord> {
    const index = this.invocationSeq++;
    const crash = lastAttempt ? undefined : this.opts.crashes.get(index);
    const inv = new Invocation(index, fn, requestId, crash, !lastAttempt);
    const record: InvocationRecord = { inv, event, ok: false, escaped: [], faultMetrics: [] };
    this.records.push(record);
    this.stats.invocations++;
    const deps = this.depsFor(inv, record);
    const handler = this.handlerFor(fn, deps) as (e: unknown, c: unknown) => Promise<unknown>;
    const context = lambdaContext({
      functionName: functionName(STAGE, fn),
      region: TEST_REGION,
      account: TEST_ACCOUNT,
      awsRequestId: requestId,
    });
    captureSink = (i, level, text) => this.logs.push({ inv: i.id, level, text });
    try {
      record.result = await als.run(inv, () => handler(structuredClone(event), context));
      record.ok = !inv.dead;
    } catch (e) {
      record.error = e as Error;
      record.ok = false;
    }
    if (inv.dead) {
      this.stats.crashes++;
      record.ok = false;
    }
    this.stats.retriedBySdk += inv.retried;
    return record;
  }

  /** Delivers one event to its function as Lambda would: a failure is retried later, then dead-lettered. */
  async deliver(d: Delivery): Promise<InvocationRecord> {
    this.stats.eventsDelivered++;
    const limit = KIND[d.fn] === 'sync' ? CONTROL_ATTEMPTS : ASYNC_ATTEMPTS;
    const record = await this.invoke(d.fn, d.event, d.requestId, d.attempt >= limit);
    if (d.fn === 'control' && record.ok) this.controlAnswers.push({ label: d.label, answer: record.result });
    if (d.fn === 'sweeper') this.stats.sweeps++;
    if (!record.ok) {
      if (d.attempt < limit) {
        const wait = KIND[d.fn] === 'sync' ? 5_000 : (ASYNC_RETRY_MS[d.attempt - 1] ?? 120_000);
        this.pool.push({ ...d, id: ++this.deliverySeq, attempt: d.attempt + 1, dueAt: this.now + wait });
      } else {
        this.eventsDlq.push({ fn: d.fn, event: d.event, error: String(record.error?.message ?? 'died') });
      }
    }
    return record;
  }

  /** One batch of the launch queue for the launcher (up to 10 visible messages), with the partial batch response applied. */
  async pollQueue(): Promise<InvocationRecord | undefined> {
    const visible = this.queue.filter((m) => m.visibleAt <= this.now);
    if (visible.length === 0) return undefined;
    const batch: QueuedMessage[] = [];
    while (batch.length < 10 && visible.length > 0) {
      const [m] = visible.splice(this.worldRng.int(visible.length), 1) as [QueuedMessage];
      m.receives++;
      if (m.receives > MAX_RECEIVES) {
        this.queue.splice(this.queue.indexOf(m), 1);
        this.launchDlq.push(m);
        continue;
      }
      m.visibleAt = this.now + VISIBILITY_MS;
      batch.push(m);
    }
    if (batch.length === 0) return undefined;
    this.stats.eventsDelivered += batch.length;
    const event = {
      Records: batch.map((m) => ({
        messageId: m.id,
        receiptHandle: `rh-${m.id}-${m.receives}`,
        body: m.body,
        attributes: { ApproximateReceiveCount: String(m.receives) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:longshore-${STAGE}-launch`,
        awsRegion: TEST_REGION,
      })),
    };
    const last = batch.every((m) => m.receives >= MAX_RECEIVES);
    const record = await this.invoke('launcher', event, `req-${++this.requestSeq}`, last);
    const failed = new Set(
      record.ok
        ? ((record.result as { batchItemFailures?: { itemIdentifier: string }[] })?.batchItemFailures ?? []).map(
            (f) => f.itemIdentifier,
          )
        : batch.map((m) => m.id),
    );
    for (const m of batch) if (!failed.has(m.id)) this.queue.splice(this.queue.indexOf(m), 1);
    return record;
  }

  /** The sweeper's rule fires every 5 minutes; returns whether one was due. */
  sweepIfDue(): boolean {
    if (this.now - this.lastSweep < 300_000) return false;
    this.lastSweep = this.now;
    this.deliverLater('sweeper', {
      version: '0',
      id: `sweep-${this.now}`,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: TEST_ACCOUNT,
      time: new Date(this.now).toISOString(),
      region: TEST_REGION,
      resources: [`arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}:rule/longshore-${STAGE}-sweeper`],
      detail: {},
    });
    return true;
  }

  /** Two due deliveries at once: concurrent invocations of the same (or another) handler. */
  async deliverConcurrently(n: number): Promise<void> {
    const picked: Delivery[] = [];
    for (let i = 0; i < n; i++) {
      const d = this.takeDue();
      if (d) picked.push(d);
    }
    if (picked.length > 1) this.stats.concurrentDeliveries += picked.length;
    await Promise.all(picked.map((d) => this.deliver(d)));
  }

  unexplainedFailures(): InvocationRecord[] {
    return this.records.filter(
      (r) => !r.ok && !r.inv.dead && r.inv.faults.length === 0 && !/injected fault#/.test(String(r.error?.message)),
    );
  }

  faultsOf(record: InvocationRecord): InjectedFault[] {
    return record.inv.faults;
  }
}

export { sdkError };
