/**
 * A simulated ECS for the local flow: RunTask starts a task (idempotent per clientToken, like ECS),
 * which follows a scripted ending or runs the job's `localCommand` as a child process with the
 * task's environment (lib/local/taskProcess.ts), and emits the task state change events ECS would,
 * with `version` numbers. StopTask, DescribeTasks and ListTasks answer from the same tasks. In
 * record-only mode (`longshore invoke`, `osls invoke local`) RunTask answers and nothing runs.
 */

import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { InvalidParameterException } from '@aws-sdk/client-ecs';
import type { Catalog, Job } from '../catalog/schema.ts';
import { logGroupName, MAIN_CONTAINER_NAME, parseStartedBy } from '../domain/names.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './environment.ts';
import { taskStateChange } from './eventFactory.ts';
import { LocalTaskDefinitions } from './LocalTaskDefinitions.ts';
import { describeTask, imageOf, type RunTaskInputLike, type SimTask, taskEventVariants } from './simTask.ts';
import { startTaskProcess } from './taskProcess.ts';
import type { TaskEnding, TaskScript } from './taskScript.ts';

export interface SimulatedEcsOptions {
  stage: string;
  clusterArn: string;
  catalog: () => Catalog;
  script: TaskScript;
  /** Called with each task state change event, as EventBridge would deliver it. */
  emit: (event: Record<string, unknown>) => void;
  /** Secret values for a job's container (local, git-ignored file), by variable name. */
  secrets: (job: string) => Record<string, string>;
  /** Where the task's log file goes, and the folder the local buckets live in (passed to commands). */
  logsDir: string;
  bucketsDir: string;
  projectDir: string;
  /** Milliseconds for the simulated phases; small in tests. */
  pace?: { startMs: number; stepMs: number };
  /** Record-only: answer RunTask without running anything (for `longshore invoke`). */
  recordOnly?: boolean;
}

export class SimulatedEcs {
  readonly tasks = new Map<string, SimTask>();
  private readonly byToken = new Map<string, string>();
  /** The jobs' task definitions and the revisions registered for runs on another image. */
  readonly taskDefinitions: LocalTaskDefinitions;

  constructor(private readonly opts: SimulatedEcsOptions) {
    this.taskDefinitions = new LocalTaskDefinitions(opts.stage, opts.catalog);
  }

  /** Tasks that have not stopped yet. */
  active(): SimTask[] {
    return [...this.tasks.values()].filter((t) => t.lastStatus !== 'STOPPED');
  }

  runTask(input: RunTaskInputLike): { tasks: Record<string, unknown>[]; failures: unknown[] } {
    const token = input.clientToken ?? randomUUID();
    const known = this.byToken.get(token);
    if (known) return { tasks: [this.describe(this.tasks.get(known) as SimTask)], failures: [] };
    const ref = parseStartedBy(input.startedBy);
    // A job's family, or a revision registered for a run on another image (its main image then).
    const definition = this.taskDefinitions.resolve(input.taskDefinition);
    const job = this.opts.catalog().jobs.find((j) => j.name === definition?.job);
    if (!job || !ref)
      return {
        tasks: [],
        failures: [
          { arn: input.taskDefinition, reason: 'MISSING', detail: 'no such task definition in the local catalog' },
        ],
      };
    const id = createHash('sha256').update(token).digest('hex').slice(0, 32);
    const taskArn = `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:task/${this.opts.clusterArn.split('/').pop()}/${id}`;
    const override = input.overrides?.containerOverrides?.find((c) => c.name === MAIN_CONTAINER_NAME);
    const env: Record<string, string> = {
      ...job.container.environment,
      ...Object.fromEntries((override?.environment ?? []).map((e) => [e.name ?? '', e.value ?? ''])),
    };
    const task: SimTask = {
      taskArn,
      clientToken: token,
      startedBy: input.startedBy ?? '',
      runId: ref.runId,
      attempt: ref.attempt,
      job: job.name,
      capacity: input.capacityProviderStrategy?.[0]?.capacityProvider ?? 'FARGATE',
      cpu: Number(input.overrides?.cpu ?? job.size.cpu),
      memory: Number(input.overrides?.memory ?? job.size.memory),
      env,
      ...((override?.command ?? job.container.localCommand)
        ? { command: override?.command ?? job.container.localCommand }
        : {}),
      overrides: input.overrides,
      ...(definition ? { taskDefinitionArn: definition.arn } : {}),
      version: 1,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      createdAt: new Date(),
      containers: [
        {
          name: MAIN_CONTAINER_NAME,
          image: definition?.image ?? imageOf(job.container),
          essential: true,
          lastStatus: 'PENDING',
        },
        ...job.sidecars.map((s) => ({
          name: s.name,
          image: imageOf(s),
          essential: s.essential,
          lastStatus: 'PENDING',
        })),
      ],
      timers: [],
    };
    this.tasks.set(taskArn, task);
    this.byToken.set(token, taskArn);
    if (!this.opts.recordOnly) this.start(task, job);
    return { tasks: [this.describe(task)], failures: [] };
  }

  stopTask(input: { task?: string; reason?: string }): { task?: Record<string, unknown> } {
    const task = this.tasks.get(input.task ?? '');
    // As ECS answers for a task it does not know (lib/aws/ecs.ts turns it into TaskGoneError).
    if (!task)
      throw new InvalidParameterException({
        message: 'The referenced task was not found.',
        $metadata: { httpStatusCode: 400 },
      });
    if (task.lastStatus !== 'STOPPED') {
      this.finish(task, {
        stopCode: 'UserInitiated',
        stoppedReason: input.reason ?? 'Task stopped by user',
        exitCode: 143,
      });
    }
    return { task: this.describe(task) };
  }

  describeTasks(input: { tasks?: string[] }): {
    tasks: Record<string, unknown>[];
    failures: { arn: string; reason: string }[];
  } {
    const arns = input.tasks ?? [];
    return {
      tasks: arns.flatMap((a) => (this.tasks.has(a) ? [this.describe(this.tasks.get(a) as SimTask)] : [])),
      failures: arns.filter((a) => !this.tasks.has(a)).map((arn) => ({ arn, reason: 'MISSING' })),
    };
  }

  /** As ECS lists: without a desiredStatus, only the tasks it wants RUNNING ("The default status filter is RUNNING"). */
  listTasks(input: { startedBy?: string; desiredStatus?: string }): { taskArns: string[] } {
    const desired = input.desiredStatus ?? 'RUNNING';
    return {
      taskArns: [...this.tasks.values()]
        .filter((t) => (!input.startedBy || t.startedBy === input.startedBy) && t.desiredStatus === desired)
        .map((t) => t.taskArn),
    };
  }

  /** Stops everything (process exit). */
  /**
   * Takes back a task of an earlier local flow that stopped while it ran (Ctrl-C, a crash): its
   * process is gone, so here it is RUNNING with nothing behind it, until StopTask stops it with the
   * STOPPED event ECS would send, newer than the last one its attempt applied (`version`).
   */
  adopt(orphan: {
    taskArn: string;
    startedBy: string;
    runId: string;
    attempt: number;
    job: Job;
    capacity: string;
    cpu: number;
    memory: number;
    createdAt?: string;
    startedAt?: string;
    version?: number;
  }): void {
    if (this.tasks.has(orphan.taskArn)) return;
    const { job } = orphan;
    this.tasks.set(orphan.taskArn, {
      taskArn: orphan.taskArn,
      clientToken: `adopted-${orphan.taskArn}`,
      startedBy: orphan.startedBy,
      runId: orphan.runId,
      attempt: orphan.attempt,
      job: job.name,
      capacity: orphan.capacity,
      cpu: orphan.cpu,
      memory: orphan.memory,
      env: {},
      overrides: {},
      version: orphan.version ?? 1,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      createdAt: orphan.createdAt ? new Date(orphan.createdAt) : new Date(),
      startedAt: new Date(orphan.startedAt ?? orphan.createdAt ?? Date.now()),
      containers: [
        { name: MAIN_CONTAINER_NAME, image: imageOf(job.container), essential: true, lastStatus: 'RUNNING' },
        ...job.sidecars.map((c) => ({
          name: c.name,
          image: imageOf(c),
          essential: c.essential,
          lastStatus: 'RUNNING',
        })),
      ],
      timers: [],
    });
  }

  shutdown(): void {
    for (const t of this.tasks.values()) {
      for (const timer of t.timers) clearTimeout(timer);
      t.child?.kill('SIGKILL');
    }
  }

  private later(task: SimTask, ms: number, fn: () => void): void {
    task.timers.push(setTimeout(fn, ms));
  }

  private start(task: SimTask, job: Job): void {
    const pace = this.opts.pace ?? { startMs: 150, stepMs: 400 };
    // The simulated task pulls its image at once (a real one after provisioning): billing starts here.
    task.pullStartedAt = new Date();
    const outcome: TaskEnding =
      this.opts.script(task) ?? (task.command ? { kind: 'command' } : { kind: 'exit', code: 0 });
    if (outcome.kind === 'pull-failure' || outcome.kind === 'secrets-failure') {
      const image = task.containers[0]?.image ?? '';
      const reason =
        outcome.kind === 'pull-failure'
          ? `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: ${image}: not found`
          : `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: not authorized to perform: secretsmanager:GetSecretValue`;
      this.later(task, outcome.afterMs ?? pace.stepMs, () =>
        this.finish(task, { stopCode: 'TaskFailedToStart', stoppedReason: reason }),
      );
      return;
    }
    this.later(task, pace.startMs, () => {
      if (task.lastStatus === 'STOPPED') return;
      // A command is RUNNING only once its process exists: one that cannot start never runs.
      if (outcome.kind === 'command') {
        this.runCommand(task, job);
        return;
      }
      this.markRunning(task);
      switch (outcome.kind) {
        case 'exit':
          this.later(task, outcome.afterMs ?? pace.stepMs, () =>
            this.finish(task, { exitCode: outcome.code, ...(outcome.reason ? { reason: outcome.reason } : {}) }),
          );
          return;
        case 'oom':
          this.later(task, outcome.afterMs ?? pace.stepMs, () =>
            this.finish(task, { exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }),
          );
          return;
        case 'spot':
          this.later(task, outcome.afterMs ?? pace.stepMs, () => {
            // The two-minute notice: still RUNNING, desired STOPPED, then the STOPPED event.
            task.desiredStatus = 'STOPPED';
            task.stopCode = 'SpotInterruption';
            task.stoppedReason = 'Your Spot Task was interrupted.';
            task.stoppingAt = new Date();
            this.emit(task);
            task.child?.kill('SIGTERM');
            this.later(task, pace.stepMs, () =>
              this.finish(task, {
                stopCode: 'SpotInterruption',
                stoppedReason: 'Your Spot Task was interrupted.',
                exitCode: 143,
              }),
            );
          });
          return;
        case 'hang':
          return;
      }
    });
  }

  private markRunning(task: SimTask): void {
    task.lastStatus = 'RUNNING';
    task.startedAt = new Date();
    for (const c of task.containers) c.lastStatus = 'RUNNING';
    this.emit(task);
  }

  private runCommand(task: SimTask, job: Job): void {
    if (!task.command?.[0]) {
      this.markRunning(task);
      this.finish(task, { exitCode: 0 });
      return;
    }
    const taskId = task.taskArn.split('/').pop() as string;
    task.logFile = join(
      this.opts.logsDir,
      logGroupName(this.opts.stage, job).replace(/^\//, ''),
      job.container.logs.streamPrefix,
      MAIN_CONTAINER_NAME,
      `${taskId}.log`,
    );
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...task.env,
      ...this.opts.secrets(job.name),
      LONGSHORE_LOCAL_BUCKETS: this.opts.bucketsDir,
    };
    const child = startTaskProcess(
      { command: task.command, env, cwd: this.opts.projectDir, logFile: task.logFile },
      {
        stopped: () => task.lastStatus === 'STOPPED',
        started: () => this.markRunning(task),
        failedToStart: (why) =>
          this.finish(task, { stopCode: 'TaskFailedToStart', stoppedReason: `CannotStartContainerError: ${why}` }),
        exited: (code, signal) => this.finish(task, { exitCode: code ?? (signal === 'SIGKILL' ? 137 : 143) }),
      },
    );
    if (child) task.child = child;
  }

  private finish(
    task: SimTask,
    how: { exitCode?: number; reason?: string; stopCode?: string; stoppedReason?: string },
  ): void {
    if (task.lastStatus === 'STOPPED') return;
    for (const timer of task.timers) clearTimeout(timer);
    if (task.child && task.child.exitCode === null) task.child.kill('SIGTERM');
    const now = new Date();
    task.desiredStatus = 'STOPPED';
    task.lastStatus = 'STOPPED';
    task.stoppingAt ??= now;
    task.stoppedAt = now;
    task.stopCode = how.stopCode ?? 'EssentialContainerExited';
    task.stoppedReason = how.stoppedReason ?? 'Essential container in task exited';
    const started = task.startedAt !== undefined;
    for (const c of task.containers) {
      c.lastStatus = 'STOPPED';
      if (!started) continue;
      if (c.name === MAIN_CONTAINER_NAME) {
        if (how.exitCode !== undefined) c.exitCode = how.exitCode;
        if (how.reason) c.reason = how.reason;
      } else {
        c.exitCode = 0;
      }
    }
    this.emit(task);
  }

  private emit(task: SimTask): void {
    task.version += task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING' ? 2 : 1;
    this.opts.emit(taskStateChange(this.describe(task, true)));
  }

  /** Task state change events this task could send next (`longshore invoke` follow-ups). */
  eventVariants(taskArn: string): Record<string, Record<string, unknown>> {
    const task = this.tasks.get(taskArn);
    return task ? taskEventVariants(task, this.opts) : {};
  }

  /** The task as DescribeTasks (Dates) or an event (ISO strings) shows it. */
  describe(task: SimTask, asEvent = false): Record<string, unknown> & { taskArn: string } {
    return describeTask(task, this.opts, asEvent);
  }
}
