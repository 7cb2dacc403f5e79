/**
 * ECS as the launcher and the sweeper see it through the API: RunTask (idempotent per clientToken,
 * ConflictException for a reused token with another request, throttled by the documented token
 * buckets), StopTask, DescribeTasks, ListTasks. Task life (RUNNING, STOPPED) is driven by the
 * caller through `onLaunched` and `setStatus`.
 *
 * Throttling, from the ECS documentation (cited in BENCHMARKS.md):
 * - RunTask on Fargate: 20 calls per second, burst and sustained (a bucket of 20, refilled 20/s);
 * - Fargate task launches: a bucket of 100, refilled 20/s, one for On-Demand and one for Spot;
 * - cluster resource modify APIs (RunTask, StopTask): 100 burst, 40/s; cluster reads
 *   (DescribeTasks, ListTasks): 100 burst, 20/s.
 */
import { createHash } from 'node:crypto';
import { TokenBucket, takeAll } from './tokenBucket.ts';

export interface SimTask {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  startedBy?: string;
  group: string;
  clientToken: string;
  requestKey: string;
  capacityProviderName: string;
  cpu?: string;
  memory?: string;
  lastStatus: string;
  desiredStatus: string;
  version: number;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  containers: { name: string; lastStatus: string; exitCode?: number; reason?: string }[];
  overrides: Record<string, unknown>;
  tags?: { key: string; value: string }[];
}

export interface EcsThrottling {
  /** RunTask calls per second on Fargate (burst = rate). */
  runTaskPerSecond: number;
  launchBurst: number;
  launchPerSecond: number;
  modifyBurst: number;
  modifyPerSecond: number;
  readBurst: number;
  readPerSecond: number;
}

/** The account's documented defaults. */
export const DOCUMENTED_ECS_THROTTLING: EcsThrottling = {
  runTaskPerSecond: 20,
  launchBurst: 100,
  launchPerSecond: 20,
  modifyBurst: 100,
  modifyPerSecond: 40,
  readBurst: 100,
  readPerSecond: 20,
};

export class EcsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface EcsCounters {
  runTaskCalls: number;
  runTaskThrottled: number;
  tasksLaunched: number;
  conflicts: number;
  idempotentReplays: number;
  stopTaskCalls: number;
  describeTasksCalls: number;
  listTasksCalls: number;
  throttledOther: number;
  foreignCalls: number;
  foreignThrottled: number;
  /** Our RunTask calls that ECS served, by second of simulated time. */
  servedBySecond: Map<number, number>;
}

export const createSimulatedEcs = (opts: {
  now: () => number;
  throttling?: EcsThrottling;
  onLaunched?: (task: SimTask) => void;
  onStop?: (task: SimTask, reason: string) => void;
}) => {
  const t0 = opts.now();
  const th = opts.throttling;
  const buckets = th
    ? {
        runTask: new TokenBucket(th.runTaskPerSecond, th.runTaskPerSecond, t0),
        launchOnDemand: new TokenBucket(th.launchBurst, th.launchPerSecond, t0),
        launchSpot: new TokenBucket(th.launchBurst, th.launchPerSecond, t0),
        modify: new TokenBucket(th.modifyBurst, th.modifyPerSecond, t0),
        read: new TokenBucket(th.readBurst, th.readPerSecond, t0),
      }
    : undefined;
  const tasks = new Map<string, SimTask>();
  const byToken = new Map<string, SimTask>();
  let seq = 0;
  const counters: EcsCounters = {
    runTaskCalls: 0,
    runTaskThrottled: 0,
    tasksLaunched: 0,
    conflicts: 0,
    idempotentReplays: 0,
    stopTaskCalls: 0,
    describeTasksCalls: 0,
    listTasksCalls: 0,
    throttledOther: 0,
    foreignCalls: 0,
    foreignThrottled: 0,
    servedBySecond: new Map(),
  };
  const throttle = () => new EcsApiError('ThrottlingException', 'Rate exceeded');

  const capacityOf = (input: Record<string, unknown>): string => {
    const strategy = input.capacityProviderStrategy as { capacityProvider: string }[] | undefined;
    return strategy?.[0]?.capacityProvider ?? (input.launchType as string | undefined) ?? 'FARGATE';
  };

  const describe = (t: SimTask) => ({
    taskArn: t.taskArn,
    clusterArn: t.clusterArn,
    taskDefinitionArn: t.taskDefinitionArn,
    ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    group: t.group,
    capacityProviderName: t.capacityProviderName,
    launchType: 'FARGATE',
    ...(t.cpu ? { cpu: t.cpu } : {}),
    ...(t.memory ? { memory: t.memory } : {}),
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    version: t.version,
    createdAt: t.createdAt / 1000,
    ...(t.startedAt ? { startedAt: t.startedAt / 1000 } : {}),
    ...(t.stoppedAt ? { stoppedAt: t.stoppedAt / 1000 } : {}),
    ...(t.stopCode ? { stopCode: t.stopCode } : {}),
    ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    containers: t.containers.map((c) => ({ ...c, taskArn: t.taskArn })),
    overrides: t.overrides,
    ...(t.tags ? { tags: t.tags } : {}),
  });

  const ops: Record<string, (input: Record<string, unknown>) => unknown> = {
    RunTask: (input) => {
      counters.runTaskCalls++;
      const now = opts.now();
      const capacity = capacityOf(input);
      if (
        buckets &&
        !takeAll(
          [buckets.runTask, buckets.modify, capacity === 'FARGATE_SPOT' ? buckets.launchSpot : buckets.launchOnDemand],
          now,
        )
      ) {
        counters.runTaskThrottled++;
        throw throttle();
      }
      const second = Math.floor((now - t0) / 1000);
      counters.servedBySecond.set(second, (counters.servedBySecond.get(second) ?? 0) + 1);
      const token = String(input.clientToken ?? '');
      const { clientToken: _omit, ...rest } = input;
      const requestKey = JSON.stringify(rest);
      const known = token ? byToken.get(token) : undefined;
      if (known) {
        if (known.requestKey !== requestKey) {
          counters.conflicts++;
          throw new EcsApiError('ConflictException', 'The clientToken was already used with other parameters', {
            resourceIds: [known.taskArn],
          });
        }
        counters.idempotentReplays++;
        return { tasks: [describe(known)], failures: [] };
      }
      const cluster = String(input.cluster ?? 'default');
      const id = createHash('sha1').update(`${token}#${seq++}`).digest('hex').slice(0, 32);
      const family = String(input.taskDefinition ?? 'task');
      const overrides = (input.overrides as Record<string, unknown>) ?? {};
      const containerOverrides = (overrides.containerOverrides as { name: string }[] | undefined) ?? [];
      const task: SimTask = {
        taskArn: `${cluster.replace(':cluster/', ':task/')}/${id}`,
        clusterArn: cluster,
        taskDefinitionArn: `${cluster.split(':cluster/')[0]}:task-definition/${family}:1`,
        ...(input.startedBy ? { startedBy: String(input.startedBy) } : {}),
        group: `family:${family}`,
        clientToken: token,
        requestKey,
        capacityProviderName: capacity,
        ...(overrides.cpu ? { cpu: String(overrides.cpu) } : {}),
        ...(overrides.memory ? { memory: String(overrides.memory) } : {}),
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        version: 1,
        createdAt: now,
        containers: (containerOverrides.length > 0 ? containerOverrides : [{ name: 'main' }]).map((c) => ({
          name: c.name,
          lastStatus: 'PENDING',
        })),
        overrides,
        ...(input.tags ? { tags: input.tags as SimTask['tags'] } : {}),
      };
      tasks.set(task.taskArn, task);
      if (token) byToken.set(token, task);
      counters.tasksLaunched++;
      opts.onLaunched?.(task);
      return { tasks: [describe(task)], failures: [] };
    },
    StopTask: (input) => {
      counters.stopTaskCalls++;
      if (buckets && !buckets.modify.take(opts.now())) {
        counters.throttledOther++;
        throw throttle();
      }
      const task = tasks.get(String(input.task));
      if (!task) throw new EcsApiError('InvalidParameterException', 'The referenced task was not found.');
      if (task.desiredStatus !== 'STOPPED') {
        task.desiredStatus = 'STOPPED';
        opts.onStop?.(task, String(input.reason ?? ''));
      }
      return { task: describe(task) };
    },
    DescribeTasks: (input) => {
      counters.describeTasksCalls++;
      if (buckets && !buckets.read.take(opts.now())) {
        counters.throttledOther++;
        throw throttle();
      }
      const arns = (input.tasks as string[]) ?? [];
      return {
        tasks: arns.flatMap((a) => (tasks.has(a) ? [describe(tasks.get(a) as SimTask)] : [])),
        failures: arns.filter((a) => !tasks.has(a)).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    },
    // The sweeper's look for derived task definitions to retire (lib/sweepTaskDefinitions.ts): no
    // run of the bench is on another image, so ECS has no such family (a family prefix it lists).
    ListTaskDefinitionFamilies: () => ({ families: [] }),
    ListTaskDefinitions: () => ({ taskDefinitionArns: [] }),
    ListTasks: (input) => {
      counters.listTasksCalls++;
      if (buckets && !buckets.read.take(opts.now())) {
        counters.throttledOther++;
        throw throttle();
      }
      const desired = String(input.desiredStatus ?? 'RUNNING');
      return {
        taskArns: [...tasks.values()]
          .filter((t) => t.startedBy === input.startedBy && t.desiredStatus === desired)
          .map((t) => t.taskArn),
      };
    },
  };

  return {
    counters,
    tasks,
    describe,
    call: (op: string, input: Record<string, unknown>): unknown => {
      const fn = ops[op];
      if (!fn) throw new EcsApiError('UnknownOperationException', `ECS operation ${op} is not simulated`);
      return fn(input);
    },
    /** Another caller in the account spends a RunTask call (a token from each bucket it passes), or is refused. */
    foreignRunTask: (): boolean => {
      counters.foreignCalls++;
      const ok = !buckets || takeAll([buckets.runTask, buckets.modify, buckets.launchOnDemand], opts.now());
      if (!ok) counters.foreignThrottled++;
      return ok;
    },
    /** Moves a task on (the caller then delivers the state change event). */
    setStatus: (
      task: SimTask,
      status: 'RUNNING' | 'STOPPED',
      stop?: { exitCode?: number; stopCode: string; reason: string },
    ) => {
      const now = opts.now();
      task.lastStatus = status;
      task.version++;
      if (status === 'RUNNING') {
        task.startedAt = now;
        for (const c of task.containers) c.lastStatus = 'RUNNING';
      } else {
        task.desiredStatus = 'STOPPED';
        task.stoppedAt = now;
        task.stopCode = stop?.stopCode ?? 'EssentialContainerExited';
        task.stoppedReason = stop?.reason ?? 'Essential container in task exited';
        for (const c of task.containers) {
          c.lastStatus = 'STOPPED';
          if (stop?.exitCode !== undefined) c.exitCode = stop.exitCode;
        }
      }
    },
  };
};

export type SimulatedEcs = ReturnType<typeof createSimulatedEcs>;
