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
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Catalog } from '../catalog/schema.ts';
import { clusterName, functionName, tableName } from '../domain/names.ts';
import type { RunStore } from '../ports.ts';
import { installAwsSimulation, recordingSend } from './awsSimulation.ts';
import { fileStamp } from './bucketFolders.ts';
import { ensureRunsTable } from './dynamo.ts';
import { engineFor, shutdownEngine } from './engine.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_STAGE, localEnvironment } from './environment.ts';
import { objectCreated, scheduleTick, sqsBatch, sweeperTick } from './eventFactory.ts';
import { FUNCTION_KEYS, type FunctionKey, HANDLER_MODULES, isFunctionKey } from './functionKeys.ts';
import { LocalQueue } from './LocalQueue.ts';
import { lambdaContext } from './lambdaContext.ts';
import { type LocalSecrets, loadLocalSecrets } from './localSecrets.ts';
import { Recorder } from './Recorder.ts';
import { createRouter } from './router.ts';
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
  readonly clusterArn = `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster/${clusterName(LOCAL_STAGE)}`;
  ecs!: SimulatedEcs;
  queue!: LocalQueue;
  store!: RunStore;
  catalog!: () => Catalog;
  secrets: LocalSecrets = { jobs: {}, secrets: {} };
  secretsCreated = false;
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
    });
    await ensureRunsTable(dynamo.endpoint, tableName(LOCAL_STAGE));
    ({ secrets: this.secrets, created: this.secretsCreated } = loadLocalSecrets(this.projectDir));

    const { documentClient } = await import('../aws/dynamodb.ts');
    const { buildRunStore } = await import('../aws/runStore.ts');
    this.doc = documentClient;
    this.store = buildRunStore(documentClient, tableName(LOCAL_STAGE));
    const client = documentClient as unknown as { send: (command: unknown, ...rest: unknown[]) => Promise<unknown> };
    const send = client.send.bind(documentClient);
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
    this.ecs = new SimulatedEcs({
      stage: LOCAL_STAGE,
      clusterArn: this.clusterArn,
      catalog: this.catalog,
      script: this.opts.script ?? (() => undefined),
      emit: router.taskEvent,
      secrets: (job) => this.secrets.jobs[job] ?? {},
      logsDir: this.logsDir,
      bucketsDir: this.bucketsDir,
      projectDir: this.projectDir,
      ...(this.opts.pace ? { pace: this.opts.pace } : {}),
      recordOnly: !this.flows,
    });
    this.queue = new LocalQueue({
      visibilityMs: 2000,
      maxReceives: 10,
      delayScale: this.opts.delayScale ?? 1,
      ...(this.flows ? { persistFile: join(this.stateDir, 'queue.json') } : {}),
    });
    this.restores.push(
      installAwsSimulation({
        recorder: this.recorder,
        ecs: this.ecs,
        queue: this.queue,
        secretValues: () => this.secrets.secrets,
        alertRoutes: () => this.catalog().alerts,
        onRunEvent: router.runEvent,
      }),
    );
    if (this.flows) {
      this.queue.consume(async (records) => {
        const out = await this.invoke('launcher', sqsBatch(records));
        return (out.ok ? out.result : { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) }) as {
          batchItemFailures: { itemIdentifier: string }[];
        };
      });
    }
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
        if (this.flows) this.onHandlerError(fn, error);
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

  async stop(): Promise<void> {
    this.ecs.shutdown();
    this.queue.stop();
    await Promise.allSettled([...this.inflight]);
    for (const r of this.restores.splice(0)) r();
  }
}
