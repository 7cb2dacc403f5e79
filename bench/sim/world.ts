/**
 * The whole service in one process, on virtual time: the deployed bundles of onUpload, the
 * launcher (one module instance per event-source concurrency slot, each with its own pacer and
 * SDK clients), onTaskStateChange, the sweeper and alert, with their SDK stacks talking HTTP to the
 * local endpoint (DynamoDB Local behind the proxy; ECS with the documented token buckets; SQS,
 * EventBridge, SNS), each AWS call answered after a simulated latency. Around them, what AWS does:
 * uploads delivered by EventBridge (some twice), the launch queue (delays, visibility timeout,
 * redrive) and its event source mapping (batch size, batching window, maximum concurrency), tasks
 * that start and stop after a simulated time and emit their state changes, the run-event bus
 * routing alerts, the sweeper's schedule, and other callers spending the account's RunTask budget.
 */
import { pathToFileURL } from 'node:url';
import { startLocalAws } from '../aws/localAws.ts';
import { createSimulatedEcs, DOCUMENTED_ECS_THROTTLING, type SimTask } from '../aws/simulatedEcs.ts';
import type { PlatformSettings } from '../build/package.ts';
import { busEvent, objectCreated, sqsEvent, sweeperTick, taskStateChange } from '../events.ts';
import { FIXTURES } from '../fixtures.ts';
import type { VirtualTime } from './virtualTime.ts';

export interface Scenario {
  name: string;
  uploads: number;
  /** Every n-th upload is delivered a second time, 5 s later (S3 and EventBridge deliver at least once); 0: none. */
  duplicateEvery: number;
  arrivalSeconds: number;
  /** RunTask calls per second other callers in the account make. */
  foreignPerSecond: number;
  task: { startSeconds: number; runSeconds: number; exitCodes: number[] };
  /** Simulated latency of each AWS call, by `service:op` or `service`, milliseconds. */
  latencyMs: Record<string, number>;
  /** EventBridge delivery of a task state change or a run event to its Lambda target. */
  eventDelayMs: number;
  capacity: boolean;
  maxVirtualSeconds: number;
  sweeper: boolean;
  /** Timers this close together fire together (their real I/O overlaps): the simulation's time resolution. */
  quantumMs: number;
}

export interface SimConfig {
  startMs: number;
  dynamoEndpoint: string;
  bundles: Record<'onUpload' | 'launcher' | 'onTaskStateChange' | 'sweeper' | 'alert', string>;
  env: Record<string, Record<string, string>>;
  commonEnv: Record<string, string>;
  timeouts: Record<string, number>;
  platform: PlatformSettings;
  scenario: Scenario;
}

export interface FunctionStats {
  invocations: number;
  errors: number;
  retries: number;
  durationMs: number;
  /** Sum of durations rounded up to the millisecond, per invocation (what Lambda bills). */
  billedMs: number;
}

export interface SimResult {
  scenario: string;
  finished: boolean;
  virtualSeconds: number;
  wallSeconds: number;
  expectedRuns: number;
  runIds: string[];
  finalRuns: number;
  succeeded: number;
  failed: number;
  firstLaunchAt: number;
  lastLaunchAt: number;
  allFinalAt: number;
  queueDrainedAt: number;
  messagesLeft: number;
  tasksLaunched: number;
  duplicateTasks: number;
  ecs: Record<string, number>;
  /** Our RunTask calls served, by second of virtual time. */
  servedBySecond: number[];
  requests: Record<string, number>;
  units?: {
    read: number;
    write: number;
    indexWrites: number;
    byOp: Record<string, { read: number; write: number; index: number; n: number }>;
  };
  lambda: Record<string, FunctionStats>;
  sqs: {
    sendCalls: number;
    messagesSent: number;
    receives: number;
    deleteBatches: number;
    deadLettered: number;
    maxReceives: number;
  };
  events: { putEventsCalls: number; entries: number; byType: Record<string, number> };
  sns: { publishes: number };
  asyncFailures: string[];
  clock: ReturnType<VirtualTime['stats']>;
}

export const runWorld = async (vt: VirtualTime, cfg: SimConfig): Promise<SimResult> => {
  const wall0 = vt.realNow();
  const sc = cfg.scenario;
  const t0 = vt.now();
  const latency = (service: string, op: string) => sc.latencyMs[`${service}:${op}`] ?? sc.latencyMs[service] ?? 0;
  let finished = false;
  const asyncFailures: string[] = [];

  // ECS: tasks start, run and stop on their own; every state change goes to EventBridge.
  const launchedAt: number[] = [];
  const tasksByAttempt = new Map<string, number>();
  const ecs = createSimulatedEcs({
    now: vt.now,
    throttling: DOCUMENTED_ECS_THROTTLING,
    onLaunched: (task) => {
      launchedAt.push(vt.now());
      const key = task.startedBy ?? task.taskArn;
      tasksByAttempt.set(key, (tasksByAttempt.get(key) ?? 0) + 1);
      taskLife(task);
    },
    onStop: (task) => {
      void vt.sleep(1000).then(() => {
        if (task.lastStatus === 'STOPPED') return;
        ecs.setStatus(task, 'STOPPED', { stopCode: 'UserInitiated', reason: 'Task stopped by user' });
        emit(task);
      });
    },
  });

  // The launch queue (SQS standard queue semantics that matter here).
  interface QueuedMessage {
    id: string;
    body: string;
    visibleAt: number;
    receives: number;
    sentAt: number;
  }
  const queue: QueuedMessage[] = [];
  const sqs = { sendCalls: 0, messagesSent: 0, receives: 0, deleteBatches: 0, deadLettered: 0, maxReceives: 0 };
  const events = { putEventsCalls: 0, entries: 0, byType: {} as Record<string, number> };
  let snsPublishes = 0;

  const aws = await startLocalAws({
    dynamoEndpoint: cfg.dynamoEndpoint,
    ecs,
    now: vt.now,
    capacity: sc.capacity,
    delay: (service, op, answer) => {
      void vt.park(latency(service, op), answer);
    },
    onSqs: (messages) => {
      sqs.sendCalls++;
      sqs.messagesSent += messages.length;
      for (const m of messages)
        queue.push({
          id: m.messageId,
          body: m.body,
          visibleAt: vt.now() + m.delaySeconds * 1000,
          receives: 0,
          sentAt: vt.now(),
        });
    },
    onPutEvents: (entries) => {
      events.putEventsCalls++;
      events.entries += entries.length;
      for (const e of entries) {
        events.byType[e.DetailType] = (events.byType[e.DetailType] ?? 0) + 1;
        // The alert rule: final failures, timeouts and missed schedules go to the alert function.
        if (['Run Failed', 'Run Timed Out', 'Schedule Missed'].includes(e.DetailType)) {
          const event = busEvent(vt.now(), e);
          void vt.sleep(sc.eventDelayMs).then(() => invokeAsync('alert', handlers.alert, event));
        }
      }
    },
    onPublish: () => {
      snsPublishes++;
    },
  });

  // The functions, imported as Lambda would (environment set first: it is read at init). The launch
  // queue URL's host is where the SQS client sends (useQueueUrlAsEndpoint): the local endpoint.
  const queueUrl = `${aws.endpoint}/111122223333/longshore-prod-launch`;
  Object.assign(process.env, cfg.commonEnv, aws.env, { LONGSHORE_LAUNCH_QUEUE_URL: queueUrl });
  type Handler = (event: unknown, context: Record<string, unknown>) => Promise<unknown>;
  const load = async (fn: string, path: string, instance = 0): Promise<Handler> => {
    for (const [k, v] of Object.entries(cfg.env[fn] ?? {}))
      if (k !== 'LONGSHORE_LAUNCH_QUEUE_URL' && !(k in cfg.commonEnv)) process.env[k] = v;
    process.env.AWS_LAMBDA_FUNCTION_NAME = `longshore-prod-${fn}`;
    const mod = (await import(`${pathToFileURL(path).href}?instance=${instance}`)) as { handler: Handler };
    return mod.handler;
  };
  const handlers = {
    onUpload: await load('onUpload', cfg.bundles.onUpload),
    onTaskStateChange: await load('onTaskStateChange', cfg.bundles.onTaskStateChange),
    sweeper: await load('sweeper', cfg.bundles.sweeper),
    alert: await load('alert', cfg.bundles.alert),
  };
  const launchers: Handler[] = [];
  for (let i = 0; i < cfg.platform.launcherEventSource.maxConcurrency; i++)
    launchers.push(await load('launcher', cfg.bundles.launcher, i + 1));

  const lambda: Record<string, FunctionStats> = {};
  let requestIds = 0;
  let inFlight = 0;
  const invoke = async (fn: string, handler: Handler, event: unknown) => {
    const s = lambda[fn] ?? { invocations: 0, errors: 0, retries: 0, durationMs: 0, billedMs: 0 };
    lambda[fn] = s;
    s.invocations++;
    inFlight++;
    const start = vt.now();
    const deadline = start + (cfg.timeouts[fn] ?? 30) * 1000;
    const context = {
      awsRequestId: `sim-${requestIds++}`,
      functionName: `longshore-prod-${fn}`,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:longshore-prod-${fn}`,
      memoryLimitInMB: '256',
      logGroupName: `/aws/lambda/longshore-prod-${fn}`,
      logStreamName: 'sim',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => deadline - vt.now(),
    };
    try {
      const result = await handler(event, context);
      return { ok: true as const, result };
    } catch (e) {
      s.errors++;
      return { ok: false as const, error: e as Error };
    } finally {
      inFlight--;
      const d = vt.now() - start;
      s.durationMs += d;
      s.billedMs += Math.max(1, Math.ceil(d));
    }
  };
  /** EventBridge -> Lambda is asynchronous: on error, Lambda retries twice (about 1 and 2 minutes later). */
  const invokeAsync = async (fn: string, handler: Handler, event: unknown, attempt = 0): Promise<unknown> => {
    const r = await invoke(fn, handler, event);
    if (r.ok) return r.result;
    if (attempt < 2) {
      (lambda[fn] as FunctionStats).retries++;
      await vt.sleep((attempt + 1) * 60_000);
      return invokeAsync(fn, handler, event, attempt + 1);
    }
    asyncFailures.push(`${fn}: ${r.error.name}: ${r.error.message}`);
    return undefined;
  };

  // Runs: the ones uploads created, and the ones whose life is over.
  const runIds = new Set<string>();
  const finalRuns = new Set<string>();
  let succeeded = 0;
  let failed = 0;
  let delivered = 0;
  const duplicated = (i: number) => sc.duplicateEvery > 0 && i % sc.duplicateEvery === 0;
  let totalDeliveries = 0;
  for (let i = 0; i < sc.uploads; i++) totalDeliveries += duplicated(i) ? 2 : 1;

  const emit = (task: SimTask) => {
    const event = taskStateChange(vt.now(), task);
    void vt.sleep(sc.eventDelayMs).then(async () => {
      const r = (await invokeAsync('onTaskStateChange', handlers.onTaskStateChange, event)) as
        | { outcome?: string; runId?: string; verdict?: { outcome?: string } }
        | undefined;
      if (r?.outcome === 'settled' && r.runId && r.verdict?.outcome !== 'retry' && !finalRuns.has(r.runId)) {
        finalRuns.add(r.runId);
        if (r.verdict?.outcome === 'success') succeeded++;
        else failed++;
      }
    });
  };
  const attemptOf = (task: SimTask) => Number(task.startedBy?.split('/').pop() ?? 1);
  const taskLife = (task: SimTask) => {
    void vt.sleep(sc.task.startSeconds * 1000).then(() => {
      if (task.lastStatus === 'STOPPED') return;
      ecs.setStatus(task, 'RUNNING');
      emit(task);
      return vt.sleep(sc.task.runSeconds * 1000).then(() => {
        if (task.lastStatus === 'STOPPED') return;
        const codes = sc.task.exitCodes;
        const exitCode = codes[Math.min(attemptOf(task) - 1, codes.length - 1)] ?? 0;
        ecs.setStatus(task, 'STOPPED', {
          exitCode,
          stopCode: 'EssentialContainerExited',
          reason: 'Essential container in task exited',
        });
        emit(task);
      });
    });
  };

  // Uploads, spread over the arrival window; some delivered twice.
  const deliver = (i: number) => {
    const key = `${FIXTURES.uploadPrefix}burst/${sc.name}-${i}${FIXTURES.uploadSuffix}`;
    const event = objectCreated(vt.now(), key, `S${String(i).padStart(8, '0')}`);
    void invokeAsync('onUpload', handlers.onUpload, event).then((r) => {
      delivered++;
      for (const run of (r as { runs?: { runId: string }[] } | undefined)?.runs ?? []) runIds.add(run.runId);
    });
  };
  for (let i = 0; i < sc.uploads; i++) {
    const at = (i * sc.arrivalSeconds * 1000) / sc.uploads;
    void vt.sleep(at).then(() => deliver(i));
    if (duplicated(i)) void vt.sleep(at + 5000).then(() => deliver(i));
  }

  // The launcher's event source mapping: up to `maxConcurrency` batches at once.
  const esm = cfg.platform.launcherEventSource;
  const visible = () => {
    const now = vt.now();
    return queue.filter((m) => m.visibleAt <= now).sort((a, b) => a.visibleAt - b.visibleAt);
  };
  const poller = async (launcher: Handler) => {
    while (!finished) {
      let ready = visible();
      if (ready.length === 0) {
        await vt.sleep(200);
        continue;
      }
      if (ready.length < esm.batchSize && esm.windowSeconds > 0) {
        await vt.sleep(esm.windowSeconds * 1000);
        ready = visible();
        if (ready.length === 0) continue;
      }
      const batch = ready.slice(0, esm.batchSize);
      const now = vt.now();
      for (const m of batch) {
        m.receives++;
        m.visibleAt = now + cfg.platform.launchQueue.visibilitySeconds * 1000;
        sqs.maxReceives = Math.max(sqs.maxReceives, m.receives);
      }
      sqs.receives++;
      const r = await invoke(
        'launcher',
        launcher,
        sqsEvent(
          now,
          batch.map((m) => ({ messageId: m.id, body: m.body, receiveCount: m.receives, sentAt: m.sentAt })),
        ),
      );
      const failedIds = r.ok
        ? new Set(
            ((r.result as { batchItemFailures?: { itemIdentifier: string }[] }).batchItemFailures ?? []).map(
              (f) => f.itemIdentifier,
            ),
          )
        : new Set(batch.map((m) => m.id));
      let deleted = 0;
      for (const m of batch) {
        if (failedIds.has(m.id)) {
          if (m.receives >= cfg.platform.launchQueue.maxReceiveCount) {
            queue.splice(queue.indexOf(m), 1);
            sqs.deadLettered++;
          }
          continue;
        }
        queue.splice(queue.indexOf(m), 1);
        deleted++;
      }
      if (deleted > 0) sqs.deleteBatches++;
    }
  };
  for (const l of launchers) void poller(l);

  // The sweeper's schedule, and other callers spending RunTask calls.
  if (sc.sweeper) {
    const sweep = async () => {
      while (!finished) {
        await vt.sleep(cfg.platform.sweeperEverySeconds * 1000);
        if (!finished) await invokeAsync('sweeper', handlers.sweeper, sweeperTick(vt.now(), 'prod'));
      }
    };
    void sweep();
  }
  if (sc.foreignPerSecond > 0) {
    const period = 1000 / sc.foreignPerSecond;
    const foreign = async () => {
      while (!finished) {
        ecs.foreignRunTask();
        await vt.sleep(period);
      }
    };
    void foreign();
  }

  if (process.env.BENCH_SIM_PROGRESS) {
    const progress = async () => {
      while (!finished) {
        await vt.sleep(30_000);
        const requests = [...aws.counts.values()].reduce((a, b) => a + b, 0);
        process.stderr.write(
          `[${sc.name}] t=${((vt.now() - t0) / 1000).toFixed(0)}s wall=${((vt.realNow() - wall0) / 1000).toFixed(0)}s runs=${runIds.size} final=${finalRuns.size} tasks=${ecs.counters.tasksLaunched} queue=${queue.length} inflight=${inFlight} requests=${requests} runTask=${ecs.counters.runTaskCalls}/${ecs.counters.runTaskThrottled}\n`,
        );
      }
    };
    void progress();
  }
  let allFinalAt = 0;
  let drainedAt = 0;
  await vt.run({
    quantumMs: sc.quantumMs,
    stop: () => {
      if (!allFinalAt && delivered >= totalDeliveries && runIds.size > 0 && finalRuns.size >= runIds.size)
        allFinalAt = vt.now();
      // The whole life of the runs: until the launch queue is empty too (messages sent for runs that
      // were launched already still cost a receive and the launcher's reads).
      if (!finished && allFinalAt && queue.length === 0 && inFlight === 0) {
        finished = true;
        drainedAt = vt.now();
      }
      if (!finished && vt.now() - t0 > sc.maxVirtualSeconds * 1000) {
        finished = true;
        drainedAt = vt.now();
      }
      return false;
    },
  });
  const served: number[] = [];
  for (const [second, n] of ecs.counters.servedBySecond) served[second] = n;
  const duplicates = [...tasksByAttempt.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);
  await aws.close();
  return {
    scenario: sc.name,
    finished: finalRuns.size >= runIds.size && runIds.size > 0 && queue.length === 0,
    virtualSeconds: (vt.now() - t0) / 1000,
    wallSeconds: (vt.realNow() - wall0) / 1000,
    expectedRuns: runIds.size,
    runIds: [...runIds],
    finalRuns: finalRuns.size,
    succeeded,
    failed,
    firstLaunchAt: ((launchedAt[0] ?? t0) - t0) / 1000,
    lastLaunchAt: ((launchedAt[launchedAt.length - 1] ?? t0) - t0) / 1000,
    allFinalAt: allFinalAt ? (allFinalAt - t0) / 1000 : -1,
    queueDrainedAt: (drainedAt - t0) / 1000,
    messagesLeft: queue.length,
    tasksLaunched: ecs.counters.tasksLaunched,
    duplicateTasks: duplicates,
    ecs: Object.fromEntries(Object.entries(ecs.counters).filter(([, v]) => typeof v === 'number')) as Record<
      string,
      number
    >,
    servedBySecond: Array.from(served, (v) => v ?? 0),
    requests: Object.fromEntries([...aws.counts.entries()].sort()),
    ...(sc.capacity
      ? {
          units: {
            read: aws.units.read,
            write: aws.units.write,
            indexWrites: aws.units.indexWrites,
            byOp: Object.fromEntries(aws.units.byOp),
          },
        }
      : {}),
    lambda,
    sqs,
    events,
    sns: { publishes: snsPublishes },
    asyncFailures,
    clock: vt.stats(),
  };
};
