/**
 * longshore on one machine: the real handlers, wired as in AWS, over an embedded DynamoDB
 * (dynalite, persisted in a state directory) with every other AWS service mocked by
 * aws-sdk-client-mock: a local launch queue, a local event bus that routes events to handlers as
 * the deployed rules would, a simulated ECS, folders as S3 buckets, and schedule ticks.
 *
 * Two modes: `flow` (everything runs: the queue feeds the launcher, tasks run and report back) and
 * `invoke` (one handler, one event: every call is recorded and nothing runs on its own).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DescribeTasksCommand,
  type DescribeTasksCommandInput,
  ECSClient,
  ListTasksCommand,
  type ListTasksCommandInput,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
  type StopTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Catalog } from '../catalog/schema.ts';
import { scheduleArn as scheduleArnOf, startedByPrefix, tableName } from '../domain/names.ts';
import { encodeNotificationKey } from '../domain/s3Key.ts';
import type { RunStore } from '../ports.ts';
import { fileStamp } from './buckets.ts';
import { ensureRunsTable, type LocalDynamo } from './dynamo.ts';
import { engineFor, shutdownEngine } from './engine.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, localEnvironment } from './environment.ts';
import { FUNCTION_KEYS, type FunctionKey, isFunctionKey } from './functionKeys.ts';
import { LocalQueue } from './localQueue.ts';
import { type LocalSecrets, loadLocalSecrets } from './localSecrets.ts';
import type { OutcomeScript } from './outcomeScript.ts';
import { Recorder } from './recorder.ts';
import { SimulatedEcs } from './simulatedEcs.ts';

/** The local flow imitates the `dev` stage, so the sample events in events/ (stage dev) all apply. */
export const LOCAL_STAGE = 'dev';

/** Retry backoffs run 10x faster on this machine unless LONGSHORE_LOCAL_DELAY_SCALE says otherwise (1 = real time). */
export const localDelayScale = (): number => {
  const v = Number(process.env.LONGSHORE_LOCAL_DELAY_SCALE ?? 0.1);
  return Number.isFinite(v) && v >= 0 ? v : 0.1;
};
export { FUNCTION_KEYS, type FunctionKey } from './functionKeys.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * The handler modules by key, as static imports: a key from outside (the flow's control port,
 * `longshore invoke`) selects an entry of this table and never becomes part of a module path.
 */
const HANDLER_MODULES: Record<FunctionKey, () => Promise<unknown>> = {
  onUpload: () => import('../../functions/onUpload/handler.ts'),
  onSchedule: () => import('../../functions/onSchedule/handler.ts'),
  control: () => import('../../functions/control/handler.ts'),
  launcher: () => import('../../functions/launcher/handler.ts'),
  onTaskStateChange: () => import('../../functions/onTaskStateChange/handler.ts'),
  sweeper: () => import('../../functions/sweeper/handler.ts'),
  alert: () => import('../../functions/alert/handler.ts'),
};

const ALERTING = new Set(['Run Failed', 'Run Timed Out', 'Schedule Missed']);
const WEBHOOK_HOST = 'webhook.local';

export interface RuntimeOptions {
  mode: 'flow' | 'invoke';
  stateDir: string;
  projectDir?: string;
  /** Another catalog module (default: the project's jobs.ts). */
  catalogFile?: string;
  script?: OutcomeScript;
  /** Keep the store on disk under stateDir (default true). */
  persistent?: boolean;
  pace?: { startMs: number; stepMs: number };
  /** Scale SQS delays (retry backoff) in the flow: 0.01 turns a 30 s backoff into 0.3 s. */
  delayScale?: number;
}

export interface InvokeOutcome {
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string };
}

type Item = Record<string, unknown>;

const context = (fn: string) => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `longshore-${LOCAL_STAGE}-${fn}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:longshore-${LOCAL_STAGE}-${fn}`,
  memoryLimitInMB: '256',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/longshore-${LOCAL_STAGE}-${fn}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

export class LocalRuntime {
  /** Stops the process's embedded engine (at process end; runtimes leave it running for the next). */
  static shutdownEngine = shutdownEngine;

  readonly recorder = new Recorder();
  readonly stateDir: string;
  readonly projectDir: string;
  readonly bucketsDir: string;
  readonly logsDir: string;
  readonly clusterArn = `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster/longshore-${LOCAL_STAGE}`;
  ecs!: SimulatedEcs;
  queue!: LocalQueue;
  store!: RunStore;
  catalog!: () => Catalog;
  secrets: LocalSecrets = { jobs: {}, secrets: {} };
  secretsCreated = false;
  private dynamo!: LocalDynamo;
  private doc!: DynamoDBDocumentClient;
  private readonly handlers = new Map<FunctionKey, Handler>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly restores: (() => void)[] = [];
  private sequencer = 0;
  /** Bucket files whose upload event went out already (path -> size:mtime). */
  readonly delivered = new Map<string, string>();
  /** Called when a handler run from the flow fails (the deployed Lambda would retry, then dead-letter). */
  onHandlerError: (fn: FunctionKey, error: Error) => void = () => undefined;

  private constructor(readonly opts: RuntimeOptions) {
    this.stateDir = resolve(opts.stateDir);
    this.projectDir = resolve(opts.projectDir ?? process.cwd());
    this.bucketsDir = join(this.stateDir, 'buckets');
    this.logsDir = join(this.stateDir, 'logs');
  }

  static async start(opts: RuntimeOptions): Promise<LocalRuntime> {
    const rt = new LocalRuntime(opts);
    await rt.boot();
    return rt;
  }

  private async boot(): Promise<void> {
    // The catalog first: a broken one is a CatalogError before anything starts (engine, state).
    const runtimeCatalog = await import('../catalog/active.ts');
    if (this.opts.catalogFile) {
      const { validateCatalog } = await import('../catalog/validate.ts');
      const mod = (await import(pathToFileURL(resolve(this.opts.catalogFile)).href)) as { default: unknown };
      runtimeCatalog.useCatalog(validateCatalog(mod.default));
    }
    runtimeCatalog.activeCatalog();
    this.catalog = runtimeCatalog.activeCatalog;
    mkdirSync(this.stateDir, { recursive: true });
    mkdirSync(this.bucketsDir, { recursive: true });
    const persistent = this.opts.persistent ?? true;
    this.dynamo = await engineFor(
      `${this.stateDir}${persistent ? '' : ' (in memory)'}`,
      persistent ? join(this.stateDir, 'ddb') : undefined,
    );
    const table = tableName(LOCAL_STAGE);
    Object.assign(process.env, localEnvironment(LOCAL_STAGE, this.dynamo.endpoint, ['default']), {
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
    });
    await ensureRunsTable(this.dynamo.endpoint, table);

    process.env.LONGSHORE_NETWORKS = localEnvironment(
      LOCAL_STAGE,
      this.dynamo.endpoint,
      Object.keys(this.catalog().networks),
    ).LONGSHORE_NETWORKS;
    ({ secrets: this.secrets, created: this.secretsCreated } = loadLocalSecrets(this.projectDir));

    const { documentClient } = await import('../aws/dynamodb.ts');
    const { buildRunStore } = await import('../aws/runStore.ts');
    this.doc = documentClient;
    this.store = buildRunStore(documentClient, table);
    const send = documentClient.send.bind(documentClient) as (command: unknown, ...rest: unknown[]) => Promise<unknown>;
    (documentClient as unknown as { send: typeof send }).send = (command: unknown, ...rest: unknown[]) => {
      const c = command as { constructor: { name: string }; input: unknown };
      if (c.constructor.name !== 'ScanCommand')
        this.recorder.call('DynamoDB', c.constructor.name.replace(/Command$/, ''), c.input);
      return send(command, ...rest);
    };
    this.restores.push(() => {
      (documentClient as unknown as { send: typeof send }).send = send;
    });

    const flow = this.opts.mode === 'flow';
    this.ecs = new SimulatedEcs({
      stage: LOCAL_STAGE,
      clusterArn: this.clusterArn,
      catalog: this.catalog,
      script: this.opts.script ?? (() => undefined),
      emit: (event) => this.routeTaskEvent(event),
      secrets: (job) => this.secrets.jobs[job] ?? {},
      logsDir: this.logsDir,
      bucketsDir: this.bucketsDir,
      projectDir: this.projectDir,
      ...(this.opts.pace ? { pace: this.opts.pace } : {}),
      recordOnly: !flow,
    });
    this.queue = new LocalQueue({
      visibilityMs: 2000,
      maxReceives: 10,
      delayScale: this.opts.delayScale ?? 1,
      ...(flow ? { persistFile: join(this.stateDir, 'queue.json') } : {}),
    });
    this.installMocks();
    if (flow) {
      this.queue.consume(async (records) => {
        const out = await this.invoke('launcher', {
          Records: records.map((r) => ({ ...r, eventSource: 'aws:sqs', attributes: {}, messageAttributes: {} })),
        });
        return (out.ok ? out.result : { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) }) as {
          batchItemFailures: { itemIdentifier: string }[];
        };
      });
    }
  }

  private installMocks(): void {
    const rec = this.recorder;
    /** Records the call, then answers it. */
    const answer =
      <I, O>(service: string, command: string, fn: (input: I) => O) =>
      async (input: I): Promise<O> => {
        rec.call(service, command, input);
        return fn(input);
      };
    const ecs = mockClient(ECSClient);
    ecs.on(RunTaskCommand).callsFake(answer('ECS', 'RunTask', (i: RunTaskCommandInput) => this.ecs.runTask(i)));
    ecs.on(StopTaskCommand).callsFake(answer('ECS', 'StopTask', (i: StopTaskCommandInput) => this.ecs.stopTask(i)));
    ecs
      .on(DescribeTasksCommand)
      .callsFake(answer('ECS', 'DescribeTasks', (i: DescribeTasksCommandInput) => this.ecs.describeTasks(i)));
    ecs.on(ListTasksCommand).callsFake(answer('ECS', 'ListTasks', (i: ListTasksCommandInput) => this.ecs.listTasks(i)));
    const sqs = mockClient(SQSClient);
    sqs
      .on(SendMessageBatchCommand)
      .callsFake(
        answer('SQS', 'SendMessageBatch', (i: SendMessageBatchCommandInput) => this.queue.sendBatch(i.Entries ?? [])),
      );
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand).callsFake(async (input) => {
      rec.call('EventBridge', 'PutEvents', input);
      for (const entry of input.Entries ?? [])
        this.routeRunEvent(entry.DetailType ?? '', JSON.parse(entry.Detail ?? '{}'), entry.Source ?? '');
      return { FailedEntryCount: 0, Entries: (input.Entries ?? []).map(() => ({ EventId: randomUUID() })) };
    });
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).callsFake(async (input) => {
      rec.call('SNS', 'Publish', input);
      rec.alert({ subject: input.Subject ?? '', message: input.Message ?? '' });
      return { MessageId: randomUUID() };
    });
    // A secret's value is what it hands out, never what it records: the call's input (the name) only.
    // Which secret a webhook URL came from is kept here, so the post can be shown by secret name.
    const secretOfValue = new Map<string, string>();
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).callsFake(async (input) => {
      rec.call('SecretsManager', 'GetSecretValue', { SecretId: input.SecretId });
      const id = String(input.SecretId);
      const value = this.secrets.secrets[id] ?? `https://${WEBHOOK_HOST}/${encodeURIComponent(id)}`;
      secretOfValue.set(value.trim(), id);
      return { Name: id, SecretString: value };
    });
    // Webhooks to webhook.local are received here (the alert handler posts with fetch).
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (url: string | URL | Request, init?: RequestInit) => {
      const href = String(url instanceof Request ? url.url : url);
      if (new URL(href).host !== WEBHOOK_HOST) return realFetch(url, init);
      const secret = secretOfValue.get(href) ?? 'unknown';
      const routes = Object.entries(this.catalog().alerts)
        .filter(([, r]) => r.webhookSecret === secret)
        .map(([name]) => name);
      this.recorder.webhooks.push({
        route: routes.join(', ') || 'unknown',
        secret,
        body: JSON.parse(String(init?.body ?? 'null')),
      });
      return new Response('ok', { status: 200 });
    }) as typeof fetch;
    this.restores.push(() => {
      for (const m of [ecs, sqs, eb, sns, sm]) m.restore();
      globalThis.fetch = realFetch;
    });
  }

  private async handler(fn: FunctionKey): Promise<Handler> {
    let h = this.handlers.get(fn);
    if (!h) {
      if (!isFunctionKey(fn)) throw new Error(`Unknown function '${String(fn)}'; use ${FUNCTION_KEYS.join(', ')}`);
      h = ((await HANDLER_MODULES[fn]()) as { handler: Handler }).handler;
      this.handlers.set(fn, h);
    }
    return h;
  }

  /** Invokes a handler on an event as Lambda would. */
  async invoke(fn: FunctionKey, event: unknown): Promise<InvokeOutcome> {
    const run = (async (): Promise<InvokeOutcome> => {
      try {
        const h = await this.handler(fn);
        return { ok: true, result: await h(structuredClone(event), context(fn)) };
      } catch (e) {
        const error = e as Error;
        if (this.opts.mode === 'flow') this.onHandlerError(fn, error);
        return { ok: false, error: { name: error.name, message: error.message } };
      }
    })();
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
    return run;
  }

  /** As the ECS rule would: only our tasks, only RUNNING and STOPPED. */
  private routeTaskEvent(event: Record<string, unknown>): void {
    const d = event.detail as { startedBy?: string; lastStatus?: string };
    if (!d.startedBy?.startsWith(startedByPrefix(LOCAL_STAGE)) || !['RUNNING', 'STOPPED'].includes(d.lastStatus ?? ''))
      return;
    this.recorder.event({ detailType: 'ECS Task State Change', detail: event.detail as Record<string, unknown> });
    if (this.opts.mode === 'flow') void this.invoke('onTaskStateChange', event);
  }

  /** As the alert rule on the run-event bus would. */
  private routeRunEvent(detailType: string, detail: Record<string, unknown>, source: string): void {
    this.recorder.event({ detailType, detail });
    if (this.opts.mode === 'flow' && source === 'longshore' && ALERTING.has(detailType)) {
      void this.invoke('alert', {
        version: '0',
        id: randomUUID(),
        source,
        'detail-type': detailType,
        time: new Date().toISOString(),
        detail,
      });
    }
  }

  /**
   * An upload: the file is written to the bucket folder and an EventBridge "Object Created" event
   * goes to onUpload (as S3 and the stack's rule would deliver it).
   */
  async upload(bucket: string, key: string, content: string | Buffer): Promise<InvokeOutcome> {
    const file = join(this.bucketsDir, bucket, key);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    this.delivered.set(file, fileStamp(file));
    return this.invoke('onUpload', this.objectCreatedEvent(bucket, key, content));
  }

  objectCreatedEvent(bucket: string, key: string, content: string | Buffer): Record<string, unknown> {
    const body = Buffer.from(content);
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: LOCAL_ACCOUNT,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: LOCAL_REGION,
      resources: [`arn:aws:s3:::${bucket}`],
      detail: {
        version: '0',
        bucket: { name: bucket },
        object: {
          key,
          size: body.length,
          etag: createHash('md5').update(body).digest('hex'),
          sequencer: `${Date.now().toString(16).toUpperCase()}${String(++this.sequencer).padStart(4, '0')}`,
        },
        'request-id': randomUUID().slice(0, 16).toUpperCase(),
        requester: LOCAL_ACCOUNT,
        reason: 'PutObject',
      },
    };
  }

  /** The same upload as a classic S3 notification (key form-URL-encoded). */
  classicNotification(bucket: string, key: string, size: number): Record<string, unknown> {
    return {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: LOCAL_REGION,
          eventTime: new Date().toISOString(),
          eventName: 'ObjectCreated:Put',
          s3: {
            s3SchemaVersion: '1.0',
            bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
            object: { key: encodeNotificationKey(key), size, sequencer: `${Date.now().toString(16)}` },
          },
        },
      ],
    };
  }

  /** A schedule tick, in the shape our Scheduler schedules send. */
  async tick(job: string, triggerIndex: number, scheduledTime: Date): Promise<InvokeOutcome> {
    return this.invoke('onSchedule', {
      longshore: 'schedule',
      job,
      trigger: triggerIndex,
      scheduleArn: scheduleArnOf('aws', LOCAL_REGION, LOCAL_ACCOUNT, LOCAL_STAGE, job, triggerIndex),
      scheduledTime: scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }

  async sweep(): Promise<InvokeOutcome> {
    return this.invoke('sweeper', {
      version: '0',
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      time: new Date().toISOString(),
      detail: {},
    });
  }

  /** Resolves when nothing is left to do (no queued message, running task or handler), or after the timeout. */
  async idle(timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
      else if (this.queue.pending() === 0 && this.ecs.active().length === 0) {
        await new Promise((r) => setTimeout(r, 50));
        if (this.inflight.size === 0 && this.queue.pending() === 0 && this.ecs.active().length === 0) return true;
      } else await new Promise((r) => setTimeout(r, 25));
    }
    return false;
  }

  /** Every item of the table, for before/after comparisons. */
  async scanAll(): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new ScanCommand({ TableName: tableName(LOCAL_STAGE), ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async stop(): Promise<void> {
    this.ecs.shutdown();
    this.queue.stop();
    await Promise.allSettled([...this.inflight]);
    for (const r of this.restores.splice(0)) r();
  }
}
