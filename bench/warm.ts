/**
 * Warm cost per event: each function's deployed bundle in its own Node 24 process (a Lambda
 * instance), invoked event after event with its full SDK stack against the local endpoint
 * (DynamoDB Local behind a recording proxy; ECS, SQS, EventBridge, SNS answered in their wire
 * protocols), against its floor: the same requests, recorded from the handler, sent through bare
 * SDK clients from a bundle built the same way, and answered with the recorded bytes.
 *
 * The clean path, end to end, in waves of the job's `maxConcurrent` (so a launch always finds a
 * slot, as it would with tasks finishing): uploads (onUpload) -> their launch messages (launcher)
 * -> RUNNING -> STOPPED exit 0 (onTaskStateChange); then alerts, schedule ticks (the previous
 * tick's run finished between ticks, by the harness), sweeps, manual triggers. Every result is
 * checked, and the table's end state too: a bench that measured an error path fails.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { runIdFor } from '../lib/domain/runId.ts';
import { type Exchange, parseSnsPublish, startLocalAws } from './aws/localAws.ts';
import { createSimulatedEcs, type SimTask } from './aws/simulatedEcs.ts';
import { compileChild, type FunctionBuilds, floorOperations } from './build/bundles.ts';
import type { Packaged, PackagedFunction } from './build/package.ts';
import {
  controlTrigger,
  objectCreated,
  runFailed,
  scheduleTick,
  sqsEvent,
  sweeperTick,
  taskStateChange,
} from './events.ts';
import {
  ACTIVE_INDEX,
  BENCH_STAGE,
  ensureRunsTable,
  FIXTURES,
  type LocalDynamo,
  localClientConfig,
  NODE,
  RUN_SK,
  runPk,
} from './production.ts';
import { tableState } from './simulate.ts';
import { type Distribution, distribution, round } from './stats.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

interface RunResult {
  wall: number[];
  cpu: number[];
  results: unknown[];
  errors: string[];
  rss: number;
  maxRssKb: number;
}

/** The environment Lambda gives a function, with the bench's endpoint and credentials. */
export const lambdaEnvironment = (
  fn: PackagedFunction,
  awsEnv: Record<string, string>,
  endpoint: string,
  overrides: Record<string, string> = {},
) => ({
  PATH: process.env.PATH ?? '',
  ...fn.environment,
  ...overrides,
  ...awsEnv,
  // The queue URL's host is where the SQS client sends (useQueueUrlAsEndpoint): the local endpoint.
  LONGSHORE_LAUNCH_QUEUE_URL: `${endpoint}/111122223333/longshore-${BENCH_STAGE}-launch`,
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  // DynamoDB Local keeps tables per access key and Region: the ones ensureRunsTable used.
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_LAMBDA_FUNCTION_NAME: `longshore-${BENCH_STAGE}-${fn.key}`,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMB),
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
});

/**
 * The launcher paces RunTask at up to 10 calls/s per instance; a warm bench sending events back to
 * back would measure that wait (100 ms an event), not the code. The pacer is measured by the burst.
 */
const WARM_OVERRIDES = { LONGSHORE_RUN_TASK_RATE: '1000000' };

const PROFILE_DIR = process.env.BENCH_CPU_PROF;

class Instance {
  private readonly child: ChildProcess;
  private waiting: ((m: Record<string, unknown>) => void)[] = [];
  initMs = 0;
  maxRssKb = 0;

  constructor(script: string, env: Record<string, string>) {
    this.child = fork(script, [], {
      execPath: NODE,
      // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each function's process, written when it exits
      // (to find where a warm event's CPU goes: `node --cpu-prof`).
      execArgv: PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [],
      env,
      // stdout is the function's log stream (Powertools writes there, as in Lambda): discarded.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    this.child.on('message', (m) => this.waiting.shift()?.(m as Record<string, unknown>));
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async load(bundle: string): Promise<void> {
    const ready = this.next();
    await ready;
    const loaded = this.next();
    this.child.send({ type: 'load', bundle });
    const m = await loaded;
    if (m.type !== 'loaded') throw new Error(`loading ${bundle} failed: ${String(m.message)}`);
    this.initMs = Number(m.initMs);
  }

  async run(who: string, first: number, events: unknown[]): Promise<RunResult> {
    const done = this.next();
    this.child.send({ type: 'run', who, first, events });
    const m = await done;
    if (m.type !== 'ran') throw new Error(`${who}: ${String(m.message)}`);
    const r = m as unknown as RunResult;
    this.maxRssKb = Math.max(this.maxRssKb, r.maxRssKb);
    return r;
  }

  stop() {
    // A profiled process exits on its own, so V8 writes its profile; the others are killed.
    if (PROFILE_DIR) this.child.send({ type: 'exit' });
    else this.child.kill('SIGKILL');
  }
}

class Samples {
  wall: number[] = [];
  cpu: number[] = [];
  add(r: RunResult, skipUntil: number, first: number) {
    r.wall.forEach((w, i) => {
      if (first + i >= skipUntil) {
        this.wall.push(w);
        this.cpu.push(r.cpu[i] as number);
      }
    });
  }
}

export interface WarmCase {
  case: string;
  function: string;
  events: number;
  measured: number;
  handler: { wallMs: Distribution; cpuMs: Distribution };
  floor: { wallMs: Distribution; cpuMs: Distribution };
  /** Mean CPU per event, handler / floor (the target: <= 1.15). */
  cpuRatio: number;
  /** Requests per event, by service:operation (from the handler's trace). */
  requestsPerEvent: Record<string, number>;
}

export interface WarmResult {
  events: number;
  warmup: number;
  cases: WarmCase[];
  /** Peak RSS of each function's process over all its events, and of its floor's. */
  peakRssMB: Record<string, { handler: number; floor: number }>;
  seconds: number;
  /** Real time each case took here, handler and floor (this bench's own cost). */
  secondsByCase: Record<string, { handler: number; floor: number }>;
  checks: Check[];
}

/** Turns a recorded request back into the command input a bare client would be given. */
const callOf = (x: Exchange) => {
  const input = x.service === 'sns' ? parseSnsPublish(x.request) : (JSON.parse(x.request) as Record<string, unknown>);
  if (x.service === 'dynamodb') {
    // The document client takes plain values: unmarshall what the handler's client marshalled.
    for (const k of ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey']) {
      if (input[k]) input[k] = unmarshall(input[k] as never);
    }
  }
  return { service: x.service, op: x.op, input };
};

export const warmBench = async (opts: {
  pkg: Packaged;
  builds: Record<string, FunctionBuilds>;
  ddb: LocalDynamo;
  events: number;
  warmup: number;
}): Promise<WarmResult> => {
  const t0 = performance.now();
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail?: string) =>
    checks.push({ name, ok, ...(detail ? { detail } : {}) });
  const nonce = randomBytes(4).toString('hex');
  const table = opts.pkg.functions[0]?.environment.LONGSHORE_TABLE as string;
  await ensureRunsTable(opts.ddb.endpoint, table, { ttl: false });
  const db = new DynamoDBClient(localClientConfig(opts.ddb.endpoint));
  const launched: SimTask[] = [];
  const ecs = createSimulatedEcs({ now: Date.now, onLaunched: (t) => launched.push(t) });
  const aws = await startLocalAws({ dynamoEndpoint: opts.ddb.endpoint, ecs, now: Date.now, record: true });
  const script = await compileChild('warm');
  const fn = (key: string) => opts.pkg.functions.find((f) => f.key === key) as PackagedFunction;
  const instances = new Map<string, Instance>();
  const instance = async (key: string): Promise<Instance> => {
    const existing = instances.get(key);
    if (existing) return existing;
    const i = new Instance(script, lambdaEnvironment(fn(key), aws.env, aws.endpoint, WARM_OVERRIDES));
    instances.set(key, i);
    // A profile reads better unminified: the same code, built with minify off (bench/build/bundles.ts).
    await i.load((PROFILE_DIR && opts.builds[key]?.readable?.path) || fn(key).mjsPath);
    return i;
  };
  const N = opts.events;
  const skip = opts.warmup;
  const samples = new Map<string, Samples>();
  const functionOf = new Map<string, string>();
  const results = new Map<string, unknown[]>();
  const errors: string[] = [];
  const floorInstances = new Map<string, Instance>();
  const floorSamples = new Map<string, Samples>();
  const mismatches: string[] = [];
  const missingOps = new Set<string>();
  const floorOf = async (key: string): Promise<Instance> => {
    let inst = floorInstances.get(key);
    if (!inst) {
      inst = new Instance(script, lambdaEnvironment(fn(key), aws.env, aws.endpoint, WARM_OVERRIDES));
      floorInstances.set(key, inst);
      await inst.load(
        (PROFILE_DIR && opts.builds[key]?.floorReadable?.path) || (opts.builds[key]?.floor.path as string),
      );
    }
    return inst;
  };
  /**
   * Runs events on the function's instance, then the same requests on its floor right away
   * (interleaved, so load on this shared machine weighs on both alike).
   */
  const spent = new Map<string, { handler: number; floor: number }>();
  const run = async (who: string, key: string, first: number, events: unknown[]) => {
    const tHandler = performance.now();
    const r = await (await instance(key)).run(who, first, events);
    const tFloor = performance.now();
    functionOf.set(who, key);
    const s = samples.get(who) ?? new Samples();
    samples.set(who, s);
    s.add(r, skip, first);
    const rs = results.get(who) ?? [];
    results.set(who, rs);
    rs.push(...r.results);
    errors.push(...r.errors.map((e) => `${who} ${e}`));
    // The floor: this batch's recorded requests, through bare clients, answered from the recording.
    const trace = aws.traces.get(who) ?? [];
    const allowed = new Set(floorOperations(fn(key)));
    const floorEvents = events.map((_, i) => ({
      calls: (trace[first + i] ?? []).filter((x) => !x.harness).map(callOf),
    }));
    for (const e of floorEvents)
      for (const c of e.calls) if (!allowed.has(`${c.service}:${c.op}`)) missingOps.add(`${key} ${c.service}:${c.op}`);
    const floor = await floorOf(key);
    const replay = aws.startReplay(trace);
    const fr = await floor.run(who, first, floorEvents);
    aws.stopReplay();
    mismatches.push(...replay.mismatches.map((m) => `${who} ${m}`), ...fr.errors.map((e) => `${who} floor ${e}`));
    const fs = floorSamples.get(who) ?? new Samples();
    floorSamples.set(who, fs);
    fs.add(fr, skip, first);
    const t = spent.get(who) ?? { handler: 0, floor: 0 };
    t.handler += tFloor - tHandler;
    t.floor += performance.now() - tFloor;
    spent.set(who, t);
    return r;
  };

  try {
    // 1. The clean path in waves of the job's maxConcurrent.
    const wave = FIXTURES.uploadMaxConcurrent;
    let sqsSeen = 0;
    for (let first = 0; first < N; first += wave) {
      const size = Math.min(wave, N - first);
      const now = Date.now();
      const uploads = Array.from({ length: size }, (_, i) =>
        objectCreated(
          now,
          `${FIXTURES.uploadPrefix}bench-${nonce}-${first + i}${FIXTURES.uploadSuffix}`,
          `${nonce}${String(first + i).padStart(8, '0')}`,
        ),
      );
      await run('onUpload', 'onUpload', first, uploads);
      const messages = aws.sqsMessages.slice(sqsSeen);
      sqsSeen = aws.sqsMessages.length;
      if (messages.length !== size)
        throw new Error(`wave ${first}: ${messages.length} launch messages for ${size} uploads`);
      await run(
        'launcher',
        'launcher',
        first,
        messages.map((m) => sqsEvent(Date.now(), [m])),
      );
      const tasks = launched.splice(0, launched.length);
      if (tasks.length !== size) throw new Error(`wave ${first}: ${tasks.length} tasks for ${size} launches`);
      for (const t of tasks) ecs.setStatus(t, 'RUNNING');
      await run(
        'onTaskStateChange RUNNING',
        'onTaskStateChange',
        first,
        tasks.map((t) => taskStateChange(Date.now(), t)),
      );
      for (const t of tasks)
        ecs.setStatus(t, 'STOPPED', {
          exitCode: 0,
          stopCode: 'EssentialContainerExited',
          reason: 'Essential container in task exited',
        });
      await run(
        'onTaskStateChange STOPPED',
        'onTaskStateChange',
        first,
        tasks.map((t) => taskStateChange(Date.now(), t)),
      );
    }
    // 2. Alerts for final failures of the alert fixture job (SNS route).
    for (let first = 0; first < N; first += 100) {
      const size = Math.min(100, N - first);
      await run(
        'alert',
        'alert',
        first,
        Array.from({ length: size }, (_, i) =>
          runFailed(
            Date.now(),
            BENCH_STAGE,
            // A run id of the shape the alert's contract requires (its marker is keyed on it).
            runIdFor(FIXTURES.alertJob, { type: 'manual', token: `bench-${nonce}-${first + i}` }),
          ),
        ),
      );
    }
    // 3. Schedule ticks, each finding the job idle (the previous tick's run is finished by the harness).
    const tickBase = Date.now() - N * 100;
    for (let k = 0; k < N; k++) {
      const r = await run('onSchedule', 'onSchedule', k, [scheduleTick(BENCH_STAGE, tickBase + k * 100)]);
      const accepted = r.results[0] as { runId?: string } | undefined;
      if (accepted?.runId) {
        await db.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { pk: { S: runPk(accepted.runId) }, sk: { S: RUN_SK } },
            UpdateExpression: 'SET #s = :done REMOVE #apk, #ask',
            ExpressionAttributeNames: { '#s': 'status', '#apk': ACTIVE_INDEX.pk, '#ask': ACTIVE_INDEX.sk },
            ExpressionAttributeValues: { ':done': { S: 'SUCCEEDED' } },
          }),
        );
      }
    }
    // 4. Sweeps over the table as it is now (every run final), then 5. manual triggers.
    for (let first = 0; first < N; first += 100) {
      const size = Math.min(100, N - first);
      await run(
        'sweeper',
        'sweeper',
        first,
        Array.from({ length: size }, () => sweeperTick(Date.now(), BENCH_STAGE)),
      );
    }
    for (let first = 0; first < N; first += 100) {
      const size = Math.min(100, N - first);
      await run(
        'control',
        'control',
        first,
        Array.from({ length: size }, (_, i) => controlTrigger(`bench-${nonce}-${first + i}`)),
      );
    }

    // Every result checked.
    check('warm: no handler threw', errors.length === 0, errors.slice(0, 3).join('; '));
    const all = (who: string, ok: (r: Record<string, unknown>) => boolean) => {
      const rs = (results.get(who) ?? []) as Record<string, unknown>[];
      const bad = rs.findIndex((r) => !r || !ok(r));
      check(
        `warm: every ${who} result is the clean path`,
        rs.length === N && bad < 0,
        bad >= 0
          ? `event ${bad}: ${String(JSON.stringify(rs[bad])).slice(0, 300)}`
          : rs.length !== N
            ? `${rs.length} results`
            : undefined,
      );
    };
    all('onUpload', (r) => {
      const runs = r.runs as { created: boolean; status: string; queued: boolean }[];
      return (
        runs?.length === 1 && runs[0]?.created === true && runs[0]?.status === 'QUEUED' && runs[0]?.queued === true
      );
    });
    all('launcher', (r) => Array.isArray(r.batchItemFailures) && r.batchItemFailures.length === 0);
    all('onTaskStateChange RUNNING', (r) => r.outcome === 'running');
    all(
      'onTaskStateChange STOPPED',
      (r) => r.outcome === 'settled' && (r.verdict as { outcome?: string })?.outcome === 'success',
    );
    all('alert', (r) => Array.isArray(r.sent) && r.sent.length > 0);
    all('onSchedule', (r) => r.created === true && r.status === 'QUEUED');
    all('sweeper', (r) => r.skipped === undefined);
    all('control', (r) => r.ok === true && r.created === true);
    check(
      'warm: one task per launch, no conflicts',
      ecs.counters.tasksLaunched === N && ecs.counters.conflicts === 0,
      `${ecs.counters.tasksLaunched} tasks, ${ecs.counters.conflicts} conflicts`,
    );
    check('warm: one alert published per Run Failed', aws.published.length === N, `${aws.published.length}`);
    // The table agrees: every upload's run SUCCEEDED.
    const { byStatus } = await tableState(opts.ddb.endpoint, table, []);
    const succeeded = byStatus.SUCCEEDED ?? 0;
    const other = Object.values(byStatus).reduce((a, b) => a + b, 0) - succeeded;
    check(
      'warm: every upload run SUCCEEDED in the table',
      succeeded === N && other === 0,
      `${succeeded} succeeded, ${other} other`,
    );

    check('warm: every floor can send what its function sent', missingOps.size === 0, [...missingOps].join(', '));
    check(
      "warm: every floor sent exactly its function's requests",
      mismatches.length === 0,
      mismatches.slice(0, 3).join('; '),
    );

    const cases: WarmCase[] = [...samples.entries()].map(([who, s]) => {
      const f = floorSamples.get(who) as Samples;
      const trace = aws.traces.get(who) ?? [];
      const per: Record<string, number> = {};
      for (const ex of trace)
        for (const x of ex ?? []) if (!x.harness) per[`${x.service}:${x.op}`] = (per[`${x.service}:${x.op}`] ?? 0) + 1;
      const handler = { wallMs: distribution(s.wall), cpuMs: distribution(s.cpu) };
      const floor = { wallMs: distribution(f.wall), cpuMs: distribution(f.cpu) };
      return {
        case: who,
        function: functionOf.get(who) as string,
        events: N,
        measured: s.cpu.length,
        handler,
        floor,
        cpuRatio: round(handler.cpuMs.mean / floor.cpuMs.mean, 3),
        requestsPerEvent: Object.fromEntries(
          Object.entries(per).map(([k, v]) => [k, round(v / Math.max(1, trace.length), 2)]),
        ),
      };
    });
    const peakRssMB = Object.fromEntries(
      [...instances.entries()].map(([key, i]) => [
        key,
        { handler: round(i.maxRssKb / 1024, 1), floor: round((floorInstances.get(key)?.maxRssKb ?? 0) / 1024, 1) },
      ]),
    );
    return {
      events: N,
      warmup: skip,
      cases,
      peakRssMB,
      seconds: round((performance.now() - t0) / 1000, 1),
      secondsByCase: Object.fromEntries(
        [...spent.entries()].map(([k, v]) => [
          k,
          { handler: round(v.handler / 1000, 1), floor: round(v.floor / 1000, 1) },
        ]),
      ),
      checks,
    };
  } finally {
    for (const i of instances.values()) i.stop();
    for (const i of floorInstances.values()) i.stop();
    db.destroy();
    await aws.close();
  }
};
