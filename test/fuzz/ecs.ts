/**
 * ECS as the generated histories see it, at the SDK's level (the real adapter lib/aws/ecs.ts talks to
 * it): RunTask idempotent per clientToken for 24 hours (the same token with other parameters is a
 * ConflictException naming the task), `failures[]` with the documented reasons, tasks that move
 * PROVISIONING -> PENDING -> RUNNING -> STOPPED on the world's clock with growing `detail.version`
 * and end as their fate says, StopTask, DescribeTasks (MISSING for a task not yet visible, one ECS
 * lost, or one stopped over an hour ago) and ListTasks by startedBy (desired RUNNING only, ECS's
 * default). Sources: ECS API reference (RunTask, StopTask, DescribeTasks, ListTasks, Failure),
 * ECS_Idempotency, "API failure reasons", task state change events (aws-facts.md §a, §b).
 */
import { parseStartedBy } from '../../lib/domain/names.ts';
import { sdkError } from './invocation.ts';

/** How a task ends (drawn per task from the history). */
export type TaskFate =
  | { kind: 'exit'; code: number; afterSeconds: number }
  | { kind: 'oom'; afterSeconds: number }
  | { kind: 'spot'; afterSeconds: number }
  | { kind: 'retirement'; afterSeconds: number }
  | { kind: 'pull' | 'pull-timeout' | 'secrets' | 'secrets-timeout' | 'cannot-start' }
  | { kind: 'stopped-by-someone'; afterSeconds: number }
  | { kind: 'unknown-stop-code'; afterSeconds: number }
  | { kind: 'hang' }
  /** ECS forgets the task while it runs: no more events, DescribeTasks says MISSING. */
  | { kind: 'lost'; afterSeconds: number };

/** What a RunTask call answers, drawn per call that would start a task. */
export type LaunchFate =
  | { kind: 'ok' }
  /** `failures[]` with a documented reason (API failure reasons; Fargate's capacity message). */
  | { kind: 'failure'; reason: string; detail?: string }
  /** An exception RunTask documents. */
  | { kind: 'exception'; name: string; message: string; status: number };

/** Every RunTask `failures[].reason` the ECS developer guide documents ("API failure reasons"), and Fargate's capacity message. */
export const RUN_TASK_FAILURE_REASONS: readonly { reason: string; detail?: string }[] = [
  { reason: 'RESOURCE:CPU' },
  { reason: 'RESOURCE:MEMORY' },
  { reason: 'RESOURCE:PORTS' },
  { reason: 'RESOURCE:PORTS_TCP' },
  { reason: 'RESOURCE:PORTS_UDP' },
  { reason: 'RESOURCE:ENI' },
  { reason: 'RESOURCE:GPU' },
  { reason: 'AGENT' },
  { reason: 'ATTRIBUTE' },
  { reason: 'MISSING' },
  { reason: 'INACTIVE' },
  { reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' },
];

/** RunTask exceptions the API reference lists that a launch can meet (throttling is the fault injector's). */
export const RUN_TASK_EXCEPTIONS: readonly { name: string; message: string; status: number }[] = [
  {
    name: 'ClientException',
    message: 'The quota of tasks in the PROVISIONING state per cluster has been reached',
    status: 400,
  },
  { name: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:RunTask', status: 400 },
  { name: 'InvalidParameterException', message: 'Task definition does not support launch_type FARGATE.', status: 400 },
  {
    name: 'PlatformTaskDefinitionIncompatibilityException',
    message: 'The specified platform does not satisfy the task definition’s required capabilities.',
    status: 400,
  },
  { name: 'BlockedException', message: 'Your account is blocked', status: 400 },
  { name: 'UnsupportedFeatureException', message: 'The specified task is not supported in this Region.', status: 400 },
];

interface Container {
  name: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
}

export interface FakeTask {
  taskArn: string;
  clientToken: string;
  requestKey: string;
  tokenAt: number;
  startedBy: string;
  runId: string;
  attempt: number;
  job: string;
  capacity: string;
  cpu: string;
  memory: string;
  version: number;
  lastStatus: string;
  desiredStatus: string;
  createdAt: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  containers: Container[];
  fate: TaskFate;
  /** ECS no longer knows it (a lost task): no events, MISSING. */
  lost: boolean;
  /** Its end, as scheduled on the clock (cancelled when someone stops it first). */
  endTimer?: number;
  stopRequests: number;
}

type Input = Record<string, unknown>;

export interface EcsWorld {
  now(): number;
  /** Runs `fn` at `atMs` on the world's clock; returns a handle to cancel. */
  at(atMs: number, fn: () => void): number;
  cancel(handle: number): void;
  emit(task: FakeTask): void;
  launchFate(): LaunchFate;
  taskFate(): TaskFate;
  /** The job's size in its task definition (what a task without a cpu/memory override gets). */
  sizeOf(job: string): { cpu: number; memory: number };
  clusterArn: string;
}

const TOKEN_TTL_MS = 24 * 3600 * 1000;
/** DescribeTasks keeps a stopped task at least an hour (aws-facts §a); here, exactly one. */
const STOPPED_VISIBLE_MS = 3600 * 1000;
/** RunTask is eventually consistent: a new task may not be visible to DescribeTasks for a moment. */
const VISIBLE_AFTER_MS = 3000;
/** The task's stopTimeout (SIGTERM to SIGKILL) when it is stopped: ECS's default, 30 s. */
const STOP_TIMEOUT_MS = 30_000;

export class FakeEcs {
  readonly tasks = new Map<string, FakeTask>();
  private readonly byToken = new Map<string, string>();
  private seq = 0;
  readonly stats = { runTaskCalls: 0, tasksStarted: 0, conflicts: 0, failures: 0, exceptions: 0, stopCalls: 0 };

  constructor(private readonly w: EcsWorld) {}

  handle(command: { constructor: { name: string }; input?: unknown }): unknown {
    const input = (command.input ?? {}) as Input;
    switch (command.constructor.name) {
      case 'RunTaskCommand':
        return this.runTask(input);
      case 'StopTaskCommand':
        return this.stopTask(input);
      case 'DescribeTasksCommand':
        return this.describeTasks(input);
      case 'ListTasksCommand':
        return this.listTasks(input);
      default:
        throw new Error(`the fake ECS has no ${command.constructor.name}`);
    }
  }

  /** Tasks by attempt, for invariant 2. */
  tasksOf(runId: string, attempt: number): FakeTask[] {
    return [...this.tasks.values()].filter((t) => t.runId === runId && t.attempt === attempt);
  }

  /** Tasks that have not stopped (in truth, whatever the events said). */
  running(): FakeTask[] {
    return [...this.tasks.values()].filter((t) => t.lastStatus !== 'STOPPED' && !t.lost);
  }

  private runTask(input: Input): unknown {
    this.stats.runTaskCalls++;
    const token = String(input.clientToken ?? '');
    const { clientToken: _t, ...rest } = input;
    const requestKey = JSON.stringify(rest);
    const knownArn = this.byToken.get(token);
    const known = knownArn ? this.tasks.get(knownArn) : undefined;
    if (known && this.w.now() - known.tokenAt < TOKEN_TTL_MS) {
      if (known.requestKey !== requestKey) {
        this.stats.conflicts++;
        // ECS_Idempotency: same token, other parameters: ConflictException with the tasks of the token.
        throw Object.assign(sdkError('ConflictException', 'The clientToken was used with different parameters', 400), {
          resourceIds: [known.taskArn],
        });
      }
      return { tasks: [this.describe(known)], failures: [] };
    }
    const fate = this.w.launchFate();
    if (fate.kind === 'failure') {
      this.stats.failures++;
      return {
        tasks: [],
        failures: [
          { arn: String(input.taskDefinition), reason: fate.reason, ...(fate.detail ? { detail: fate.detail } : {}) },
        ],
      };
    }
    if (fate.kind === 'exception') {
      this.stats.exceptions++;
      throw sdkError(fate.name, fate.message, fate.status);
    }
    const ref = parseStartedBy(String(input.startedBy ?? ''));
    if (!ref) throw sdkError('InvalidParameterException', 'startedBy is not ours', 400);
    const overrides = (input.overrides ?? {}) as { cpu?: string; memory?: string };
    const strategy = (input.capacityProviderStrategy ?? []) as { capacityProvider: string }[];
    const id = (++this.seq).toString(16).padStart(32, '0');
    const job = String(input.taskDefinition).split('-').slice(2).join('-');
    const size = this.w.sizeOf(job);
    const taskArn = `${this.w.clusterArn.replace(':cluster/', ':task/')}/${id}`;
    const now = this.w.now();
    const task: FakeTask = {
      taskArn,
      clientToken: token,
      requestKey,
      tokenAt: now,
      startedBy: String(input.startedBy),
      runId: ref.runId,
      attempt: ref.attempt,
      job,
      capacity: strategy[0]?.capacityProvider ?? 'FARGATE',
      cpu: overrides.cpu ?? String(size.cpu),
      memory: overrides.memory ?? String(size.memory),
      version: 1,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      createdAt: now,
      containers: [{ name: 'main', lastStatus: 'PENDING' }],
      fate: this.w.taskFate(),
      lost: false,
      stopRequests: 0,
    };
    this.tasks.set(taskArn, task);
    this.byToken.set(token, taskArn);
    this.stats.tasksStarted++;
    this.w.emit(task);
    this.schedule(task);
    return { tasks: [this.describe(task)], failures: [] };
  }

  private step(task: FakeTask, change: () => void): void {
    if (task.lastStatus === 'STOPPED' || task.lost) return;
    change();
    task.version++;
    this.w.emit(task);
  }

  private schedule(task: FakeTask): void {
    const t0 = task.createdAt;
    const f = task.fate;
    this.w.at(t0 + 5_000, () => this.step(task, () => (task.lastStatus = 'PENDING')));
    if (!('afterSeconds' in f)) {
      if (f.kind !== 'hang') task.endTimer = this.w.at(t0 + 20_000, () => this.stop(task, startFailure(f.kind)));
      else this.startRunning(task);
      return;
    }
    this.startRunning(task);
    const end = t0 + 10_000 + f.afterSeconds * 1000;
    if (f.kind === 'lost') {
      task.endTimer = this.w.at(end, () => {
        task.lost = true;
      });
      return;
    }
    if (f.kind === 'spot') {
      task.endTimer = this.w.at(end, () => {
        if (task.capacity !== 'FARGATE_SPOT') return this.stop(task, retirement());
        // The two-minute notice: still RUNNING, desired STOPPED, stop code SpotInterruption.
        this.step(task, () => {
          task.desiredStatus = 'STOPPED';
          task.stopCode = 'SpotInterruption';
          task.stoppedReason = 'Your Spot Task was interrupted.';
          task.stoppingAt = this.w.now();
        });
        task.endTimer = this.w.at(end + 120_000, () =>
          this.stop(task, {
            stopCode: 'SpotInterruption',
            stoppedReason: 'Your Spot Task was interrupted.',
            exitCode: 143,
          }),
        );
      });
      return;
    }
    task.endTimer = this.w.at(end, () => this.stop(task, ending(f)));
  }

  private startRunning(task: FakeTask): void {
    this.w.at(task.createdAt + 10_000, () => {
      // A task asked to stop before it started never starts.
      if (task.desiredStatus === 'STOPPED') return;
      this.step(task, () => {
        task.lastStatus = 'RUNNING';
        task.startedAt = this.w.now();
        for (const c of task.containers) c.lastStatus = 'RUNNING';
      });
    });
  }

  /** The task stops: containers get their exit (if it started), the STOPPED event goes out. */
  private stop(
    task: FakeTask,
    how: { stopCode: string; stoppedReason: string; exitCode?: number; reason?: string },
  ): void {
    this.step(task, () => {
      const now = this.w.now();
      task.lastStatus = 'STOPPED';
      task.desiredStatus = 'STOPPED';
      task.stoppingAt ??= now;
      task.stoppedAt = now;
      task.stopCode = how.stopCode;
      task.stoppedReason = how.stoppedReason;
      for (const c of task.containers) {
        c.lastStatus = 'STOPPED';
        if (task.startedAt === undefined) continue;
        if (how.exitCode !== undefined) c.exitCode = how.exitCode;
        if (how.reason) c.reason = how.reason;
      }
    });
  }

  private stopTask(input: Input): unknown {
    this.stats.stopCalls++;
    const task = this.tasks.get(String(input.task ?? ''));
    // A task ECS no longer knows: "The referenced task was not found" [inferred: the API reference
    // lists InvalidParameterException; the message is what ECS answers for an unknown task id].
    if (!task || task.lost || (task.stoppedAt !== undefined && this.w.now() - task.stoppedAt > STOPPED_VISIBLE_MS))
      throw sdkError('InvalidParameterException', 'The referenced task was not found.', 400);
    task.stopRequests++;
    if (task.lastStatus !== 'STOPPED' && task.desiredStatus !== 'STOPPED') {
      this.step(task, () => {
        task.desiredStatus = 'STOPPED';
        task.stoppingAt = this.w.now();
      });
      if (task.endTimer !== undefined) this.w.cancel(task.endTimer);
      const reason = String(input.reason ?? 'Task stopped by user');
      task.endTimer = this.w.at(this.w.now() + (task.startedAt === undefined ? 2_000 : STOP_TIMEOUT_MS), () =>
        this.stop(task, {
          stopCode: 'UserInitiated',
          stoppedReason: reason,
          ...(task.startedAt !== undefined ? { exitCode: 143 } : {}),
        }),
      );
    }
    return { task: this.describe(task) };
  }

  private visible(task: FakeTask | undefined): task is FakeTask {
    if (!task || task.lost) return false;
    const now = this.w.now();
    if (now - task.createdAt < VISIBLE_AFTER_MS) return false;
    return task.stoppedAt === undefined || now - task.stoppedAt <= STOPPED_VISIBLE_MS;
  }

  private describeTasks(input: Input): unknown {
    const arns = (input.tasks ?? []) as string[];
    if (arns.length > 100) throw sdkError('InvalidParameterException', 'tasks can have at most 100 items', 400);
    const found = arns.map((a) => this.tasks.get(a));
    return {
      tasks: found.filter((t) => this.visible(t)).map((t) => this.describe(t as FakeTask, false)),
      failures: arns.filter((_, i) => !this.visible(found[i])).map((arn) => ({ arn, reason: 'MISSING' })),
    };
  }

  private listTasks(input: Input): unknown {
    const keys = Object.keys(input).filter((k) => k !== 'cluster' && k !== 'nextToken');
    if (input.startedBy !== undefined && keys.length > 1)
      throw sdkError('InvalidParameterException', 'startedBy must be the only filter', 400);
    return {
      taskArns: [...this.tasks.values()]
        .filter((t) => !t.lost && t.startedBy === input.startedBy && t.desiredStatus === 'RUNNING')
        .map((t) => t.taskArn),
    };
  }

  /** The task as DescribeTasks returns it (Dates), or as an event's detail carries it (ISO strings). */
  describe(task: FakeTask, asEvent = false): Record<string, unknown> {
    const time = (ms: number | undefined) =>
      ms === undefined ? undefined : asEvent ? new Date(ms).toISOString() : new Date(ms);
    const out: Record<string, unknown> = {
      taskArn: task.taskArn,
      clusterArn: this.w.clusterArn,
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      version: task.version,
      startedBy: task.startedBy,
      group: `family:${task.job}`,
      capacityProviderName: task.capacity,
      launchType: 'FARGATE',
      cpu: task.cpu,
      memory: task.memory,
      createdAt: time(task.createdAt),
      startedAt: time(task.startedAt),
      stoppingAt: time(task.stoppingAt),
      stoppedAt: time(task.stoppedAt),
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
      containers: task.containers.map((c) => ({ ...c, taskArn: task.taskArn })),
    };
    for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
    return out;
  }
}

const startFailure = (kind: 'pull' | 'pull-timeout' | 'secrets' | 'secrets-timeout' | 'cannot-start') => {
  const image = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/fz:1';
  const reasons = {
    pull: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: not found`,
    'pull-timeout': `CannotPullContainerError: pull image manifest has been retried 5 time(s): dial tcp 52.94.0.1:443: i/o timeout`,
    secrets:
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: AccessDeniedException',
    'secrets-timeout':
      'ResourceInitializationError: unable to pull secrets or registry auth: RequestCanceled: request context canceled caused by: context deadline exceeded',
    'cannot-start': 'CannotStartContainerError: Error response from daemon: failed to create shim task',
  };
  return { stopCode: 'TaskFailedToStart', stoppedReason: reasons[kind] };
};

const retirement = () => ({
  stopCode: 'TerminationNotice',
  stoppedReason: 'Task stopped because the underlying infrastructure is retired',
  exitCode: 143,
});

const ending = (f: Extract<TaskFate, { afterSeconds: number }>) => {
  const exited = { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' };
  switch (f.kind) {
    case 'exit':
      return { ...exited, exitCode: f.code };
    case 'oom':
      return { ...exited, exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' };
    case 'retirement':
      return retirement();
    case 'stopped-by-someone':
      return { stopCode: 'UserInitiated', stoppedReason: 'Task stopped by a person in the console', exitCode: 143 };
    case 'unknown-stop-code':
      return {
        stopCode: 'SomethingEcsAddsLater',
        stoppedReason: 'A stop ECS explains in a later release',
        exitCode: 1,
      };
    default:
      return { ...exited, exitCode: 0 };
  }
};
