/**
 * longshore on one machine: the real handlers over an embedded DynamoDB (dynalite, persisted in a
 * state directory) and the one simulation of AWS (lib/local/awsSimulation.ts): a local launch
 * queue, a simulated ECS, folders as S3 buckets, and a router that sends events to the handlers as
 * the deployed rules would (lib/local/router.ts).
 *
 * Two modes: `flow` (the router delivers: the queue feeds the launcher, tasks run and report back)
 * and `invoke` (one handler, one event: every call is recorded and nothing runs on its own).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Catalog } from '../catalog/schema.ts';
import { RUN_SK, runPk, TABLE_KEYS } from '../domain/keys.ts';
import { clusterName, functionName, startedBy, tableName } from '../domain/names.ts';
import type { RunStore } from '../ports.ts';
import { installAwsSimulation, recordingSend } from './awsSimulation.ts';
import { fileStamp } from './bucketFolders.ts';
import { ASYNC_FUNCTIONS, addDeadLetter, invocationRecord } from './deadLetters.ts';
import { ensureRunsTable } from './dynamo.ts';
import { engineFor, shutdownEngine } from './engine.ts';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  LOCAL_STAGE,
  localEnvironment,
  localQueueArn,
  localQueues,
} from './environment.ts';
import { objectCreated, queueMessage, scheduleTick, sqsBatch, sweeperTick } from './eventFactory.ts';
import { FUNCTION_KEYS, type FunctionKey, HANDLER_MODULES, isFunctionKey } from './functionKeys.ts';
import { LocalQueue } from './LocalQueue.ts';
import { LocalSchedules } from './LocalSchedules.ts';
import { lambdaContext } from './lambdaContext.ts';
import { withLocalLogFiles } from './localLogs.ts';
import { type LocalSecrets, loadLocalSecrets, missingLocalSecrets, readLocalSecrets } from './localSecrets.ts';
import { Recorder } from './Recorder.ts';
import { createRouter, type Router } from './router.ts';
import { SimulatedEcs } from './SimulatedEcs.ts';
import type { TaskScript } from './taskScript.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export interface RuntimeOptions {
  mode: 'flow' | 'invoke';
  stateDir: string;
  projectDir?: string;
  /** Another catalog module (default: the project's jobs.ts). */
  catalogFile?: string;
  script?: TaskScript;
  /** Keep the store on disk under stateDir (default true). */
  persistent?: boolean;
  pace?: { startMs: number; stepMs: number };
  /** Scale SQS delays (retry backoff) in the flow: 0.01 turns a 30 s backoff into 0.3 s. */
  delayScale?: number;
}

/** What one handler invocation gave: its result, or the error it threw. */
export interface InvokeResult {
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string };
}

type Item = Record<string, unknown>;

export class LocalRuntime {
  /** Stops the process's embedded engine (at process end; runtimes leave it running for the next). */
  static shutdownEngine = shutdownEngine;

  readonly recorder = new Recorder();
  readonly stateDir: string;
  readonly projectDir: string;
  readonly bucketsDir: string;
  readonly logsDir: string;
  /** `events/<bus>/`: event files the watching flow puts on that local bus. */
  readonly eventsDir: string;
  /** `queues/<queue>/`: files the watching flow sends as messages to that local queue. */
  readonly queuesDir: string;
  readonly clusterArn = `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster/${clusterName(LOCAL_STAGE)}`;
  ecs!: SimulatedEcs;
  queue!: LocalQueue;
  /** The simulated Scheduler's schedules: the flow's ticks go only to the enabled ones. */
  schedules!: LocalSchedules;
  store!: RunStore;
  catalog!: () => Catalog;
  secrets: LocalSecrets = { jobs: {}, secrets: {} };
  secretsCreated = false;
  private doc!: DynamoDBDocumentClient;
  /** The store's client without the recorder: the simulation's own writes are not the handlers' calls. */
  private unrecordedSend!: (command: unknown) => Promise<unknown>;
  private readonly handlers = new Map<FunctionKey, Handler>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly restores: (() => void)[] = [];
  private sequencer = 0;
  private router!: Router;
  /** Bucket files whose upload event went out already (path -> size:mtime). */
  readonly delivered = new Map<string, string>();
  /** Called when a handler run from the flow fails (the deployed Lambda would retry, then dead-letter). */
  onHandlerError: (fn: FunctionKey, error: Error) => void = () => undefined;

  private constructor(readonly opts: RuntimeOptions) {
    this.stateDir = resolve(opts.stateDir);
    this.projectDir = resolve(opts.projectDir ?? process.cwd());
    this.bucketsDir = join(this.stateDir, 'buckets');
    this.logsDir = join(this.stateDir, 'logs');
    this.eventsDir = join(this.stateDir, 'events');
    this.queuesDir = join(this.stateDir, 'queues');
  }

  static async start(opts: RuntimeOptions): Promise<LocalRuntime> {
    const rt = new LocalRuntime(opts);
    await rt.boot();
    return rt;
  }

  /** The flow delivers routed events and queued messages to the handlers; an invoke only records them. */
  private get flows(): boolean {
    return this.opts.mode === 'flow';
  }

  private async boot(): Promise<void> {
    // The catalog first: a broken one is a CatalogError before anything starts (engine, state).
    const activeCatalog = await import('../catalog/active.ts');
    if (this.opts.catalogFile) {
      const { validateCatalog } = await import('../catalog/validate.ts');
      const mod = (await import(pathToFileURL(resolve(this.opts.catalogFile)).href)) as { default: unknown };
      activeCatalog.useCatalog(validateCatalog(mod.default));
    }
    activeCatalog.activeCatalog();
    this.catalog = activeCatalog.activeCatalog;
    mkdirSync(this.stateDir, { recursive: true });
    mkdirSync(this.bucketsDir, { recursive: true });
    const persistent = this.opts.persistent ?? true;
    const dynamo = await engineFor(
      `${this.stateDir}${persistent ? '' : ' (in memory)'}`,
      persistent ? join(this.stateDir, 'ddb') : undefined,
    );
    // The environment before the handler modules load: their clients and config read it at import.
    Object.assign(process.env, localEnvironment(LOCAL_STAGE, dynamo.endpoint, Object.keys(this.catalog().networks)), {
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
      LONGSHORE_QUEUES: localQueues(this.catalog()),
    });
    await ensureRunsTable(dynamo.endpoint, tableName(LOCAL_STAGE));
    ({ secrets: this.secrets, created: this.secretsCreated } = loadLocalSecrets(this.projectDir));

    const { documentClient } = await import('../aws/dynamodb.ts');
    const { buildRunStore } = await import('../aws/runStore.ts');
    this.doc = documentClient;
    this.store = buildRunStore(documentClient, tableName(LOCAL_STAGE));
    const client = documentClient as unknown as { send: (command: unknown, ...rest: unknown[]) => Promise<unknown> };
    const send = client.send.bind(documentClient);
    this.unrecordedSend = send;
    client.send = recordingSend(this.recorder, send);
    this.restores.push(() => {
      client.send = send;
    });

    const router = createRouter({
      stage: LOCAL_STAGE,
      clusterArn: this.clusterArn,
      recorder: this.recorder,
      catalog: () => this.catalog(),
      ...(this.flows ? { deliver: (fn: FunctionKey, event: unknown) => void this.invoke(fn, event) } : {}),
    });
    this.router = router;
    this.ecs = new SimulatedEcs({
      stage: LOCAL_STAGE,
      clusterArn: this.clusterArn,
      catalog: this.catalog,
      script: this.opts.script ?? (() => undefined),
      emit: router.taskEvent,
      secrets: (job) => this.currentSecrets().jobs[job] ?? {},
      logsDir: this.logsDir,
      bucketsDir: this.bucketsDir,
      projectDir: this.projectDir,
      ...(this.opts.pace ? { pace: this.opts.pace } : {}),
      recordOnly: !this.flows,
    });
    this.schedules = new LocalSchedules({
      stage: LOCAL_STAGE,
      catalog: () => this.catalog(),
      ...(this.flows ? { persistFile: join(this.stateDir, 'schedules.json') } : {}),
    });
    this.queue = new LocalQueue({
      visibilityMs: 2000,
      maxReceives: 10,
      delayScale: this.opts.delayScale ?? 1,
      ...(this.flows
        ? {
            persistFile: join(this.stateDir, 'queue.json'),
            onDeadLetter: (m) =>
              addDeadLetter(this.stateDir, 'launch', {
                messageId: m.messageId,
                body: m.body,
                sentAt: new Date().toISOString(),
                receiveCount: m.receives,
              }),
          }
        : {}),
    });
    this.restores.push(
      installAwsSimulation({
        recorder: this.recorder,
        ecs: this.ecs,
        queue: this.queue,
        schedules: this.schedules,
        secretValues: () => this.currentSecrets().secrets,
        alertRoutes: () => this.catalog().alerts,
        localAlertText: (message) => withLocalLogFiles(this.logsDir, message),
        logsDir: this.logsDir,
        manifestsDir: join(this.stateDir, 'manifests'),
        onRunEvent: router.runEvent,
      }),
    );
    if (this.flows) {
      this.queue.consume(async (records) => {
        await this.bringForward(records);
        const out = await this.invoke(
          'launcher',
          sqsBatch(records.map(({ messageId, body }) => ({ messageId, body }))),
        );
        return (out.ok ? out.result : { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) }) as {
          batchItemFailures: { itemIdentifier: string }[];
        };
      });
    }
  }

  /**
   * One clock for the local flow. The local queue delivers a delayed message early (the delay
   * scale: a 54 s retry backoff in 5.4 s), but the run records the backoff as `notBefore` in real
   * time, and the launcher defers a run until then (it must, deployed). So when the queue delivers
   * a message early, the simulation moves that run's `notBefore` forward to now, as if the scaled
   * wait were the whole wait: the launcher then launches, as it would after the real backoff.
   */
  private async bringForward(records: { body: string; earlyMs?: number }[]): Promise<void> {
    const now = new Date().toISOString();
    for (const r of records) {
      if (!r.earlyMs) continue;
      const { runId, attempt } = JSON.parse(r.body) as { runId?: string; attempt?: number };
      if (typeof runId !== 'string' || typeof attempt !== 'number') continue;
      await this.unrecordedSend(
        new UpdateCommand({
          TableName: tableName(LOCAL_STAGE),
          Key: { [TABLE_KEYS.pk]: runPk(runId), [TABLE_KEYS.sk]: RUN_SK },
          UpdateExpression: 'SET notBefore = :now',
          ConditionExpression: '#attempt = :attempt AND notBefore > :now',
          ExpressionAttributeNames: { '#attempt': 'attempt' },
          ExpressionAttributeValues: { ':now': now, ':attempt': attempt },
        }),
      ).catch((e: Error) => {
        // Not this attempt any more, or nothing to bring forward: the launcher decides as usual.
        if (e.name !== 'ConditionalCheckFailedException') throw e;
      });
    }
  }

  /**
   * local.secrets.json as it is now: read again at each task start and each secret read, so an
   * edit applies to the next task without a restart. A file broken mid-edit keeps the last good values.
   */
  currentSecrets(): LocalSecrets {
    try {
      this.secrets = readLocalSecrets(this.projectDir);
    } catch {
      // The start read it (and refused a broken one); until the edit is finished, the last good values.
    }
    return this.secrets;
  }

  /** The job secrets without a local value (absent from the task's environment here). */
  missingSecrets(): { job: string; variable: string }[] {
    return missingLocalSecrets(this.catalog(), this.currentSecrets());
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
  async invoke(fn: FunctionKey, event: unknown): Promise<InvokeResult> {
    const run = (async (): Promise<InvokeResult> => {
      try {
        const h = await this.handler(fn);
        const context = lambdaContext({
          functionName: functionName(LOCAL_STAGE, fn),
          region: LOCAL_REGION,
          account: LOCAL_ACCOUNT,
        });
        return { ok: true, result: await h(structuredClone(event), context) };
      } catch (e) {
        const error = e as Error;
        if (this.flows) {
          // Deployed, an async invocation that fails its retries lands in the events DLQ with its record.
          if (ASYNC_FUNCTIONS.includes(fn))
            addDeadLetter(this.stateDir, 'events', invocationRecord(fn, event, error, new Date()));
          this.onHandlerError(fn, error);
        }
        return { ok: false, error: { name: error.name, message: error.message } };
      }
    })();
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
    return run;
  }

  /**
   * An upload: the file is written to the bucket folder and an EventBridge "Object Created" event
   * goes to onUpload (as S3 and the stack's rule would deliver it).
   */
  async upload(bucket: string, key: string, content: string | Buffer): Promise<InvokeResult> {
    const file = join(this.bucketsDir, bucket, key);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    this.delivered.set(file, fileStamp(file));
    return this.invoke('onUpload', this.objectCreatedEvent(bucket, key, content));
  }

  /** The "Object Created" event of an upload, with a sequencer that grows like S3's. */
  objectCreatedEvent(bucket: string, key: string, content: string | Buffer): Record<string, unknown> {
    const sequencer = `${Date.now().toString(16).toUpperCase()}${String(++this.sequencer).padStart(4, '0')}`;
    return objectCreated(bucket, key, content, sequencer);
  }

  /** A schedule tick, in the shape our Scheduler schedules send. */
  async tick(job: string, triggerIndex: number, scheduledTime: Date): Promise<InvokeResult> {
    return this.invoke('onSchedule', scheduleTick(job, triggerIndex, scheduledTime));
  }

  /**
   * An event put on a local bus: onEvent gets it once for each event trigger whose pattern matches
   * (as each trigger's rule would deliver it). Returns one result per delivery (none: no trigger matched).
   */
  async putEvent(event: Record<string, unknown>, bus = 'default'): Promise<InvokeResult[]> {
    return Promise.all(this.router.busEvent(event, bus).map((d) => this.invoke('onEvent', d)));
  }

  /**
   * A message sent to an sqs trigger's queue (named as the catalog names it: its ARN, or
   * `param:name`): onMessage gets it as a batch of one, as the event source mapping would.
   */
  async sendMessage(queue: string, body: string, messageId?: string): Promise<InvokeResult> {
    return this.invoke('onMessage', { Records: [queueMessage(localQueueArn(queue), body, messageId)] });
  }

  async sweep(): Promise<InvokeResult> {
    return this.invoke('sweeper', sweeperTick());
  }

  /** Resolves when nothing is left to do (no queued message, running task or handler), or after the timeout. */
  async idle(timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const quiet = () => this.inflight.size === 0 && this.queue.pending() === 0 && this.ecs.active().length === 0;
    while (Date.now() < deadline) {
      if (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
      else if (quiet()) {
        await new Promise((r) => setTimeout(r, 50));
        if (quiet()) return true;
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

  /**
   * Runs whose task this process runs, or ran before it stopped, are cancelled with `reason`, as an
   * operator would (`runs cancel`): CANCELLING, StopTask, the STOPPED event, CANCELLED, slot freed.
   * Without this, Ctrl-C left them RUNNING, holding their slots until the sweeper's lost-task rule
   * (16 minutes). Answers the runs cancelled.
   */
  async cancelRunsOfTasks(tasks: { runId: string }[], reason: string, timeoutMs = 10_000): Promise<string[]> {
    const runIds = [...new Set(tasks.map((t) => t.runId))];
    for (const runId of runIds)
      await this.invoke('control', { action: 'cancel', runId, reason, requestedBy: 'local flow' });
    await this.idle(timeoutMs);
    return runIds;
  }

  /**
   * Orphans of an earlier local flow: runs STARTING, RUNNING or CANCELLING with a task, which this
   * (new) simulated ECS does not run. Each task is adopted and its run cancelled. Answers their run ids.
   */
  async settleOrphans(): Promise<string[]> {
    const orphans: { runId: string }[] = [];
    for (const job of this.catalog().jobs) {
      for (const run of await this.store.activeRuns(job.name)) {
        if (run.status === 'QUEUED') continue;
        const attempt = await this.store.getAttempt(run.runId, run.attempt);
        const taskArn = run.taskArn ?? attempt?.taskArn;
        if (!taskArn || !attempt || this.ecs.tasks.has(taskArn)) continue;
        this.ecs.adopt({
          taskArn,
          startedBy: startedBy(LOCAL_STAGE, run.runId, run.attempt),
          runId: run.runId,
          attempt: run.attempt,
          job,
          capacity: attempt.capacityProvider,
          cpu: attempt.cpu,
          memory: attempt.memory,
          ...(attempt.taskCreatedAt ? { createdAt: attempt.taskCreatedAt } : {}),
          ...(attempt.startedAt ? { startedAt: attempt.startedAt } : {}),
          ...(attempt.taskVersion !== undefined ? { version: attempt.taskVersion } : {}),
        });
        orphans.push({ runId: run.runId });
      }
    }
    if (orphans.length === 0) return [];
    return this.cancelRunsOfTasks(
      orphans,
      'orphaned: the local flow that ran its task stopped before the task did (cancelled at the next start)',
    );
  }

  async stop(): Promise<void> {
    if (this.flows && this.ecs.active().length > 0)
      await this.cancelRunsOfTasks(
        this.ecs.active(),
        'the local flow stopped (Ctrl-C); its tasks were stopped with it',
      );
    this.ecs.shutdown();
    this.queue.stop();
    await Promise.allSettled([...this.inflight]);
    for (const r of this.restores.splice(0)) r();
  }
}
