/**
 * A simulated ECS for the local flow: RunTask starts a task (idempotent per clientToken, like ECS),
 * which follows a scripted outcome or runs the job's `localCommand` as a child process with the
 * task's environment, and emits the task state change events ECS would, with `version` numbers.
 * StopTask, DescribeTasks and ListTasks answer from the same tasks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Catalog, Container, Job } from '../catalog/schema.ts';
import { logGroupName, parseStartedBy } from '../domain/names.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './environment.ts';
import type { Outcome, OutcomeScript } from './outcomeScript.ts';

interface SimContainer {
  name: string;
  image: string;
  essential: boolean;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
}

export interface SimTask {
  taskArn: string;
  clientToken: string;
  startedBy: string;
  runId: string;
  attempt: number;
  job: string;
  capacity: string;
  cpu: number;
  memory: number;
  env: Record<string, string>;
  command?: string[];
  overrides: unknown;
  version: number;
  lastStatus: string;
  desiredStatus: string;
  createdAt: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  stopCode?: string;
  stoppedReason?: string;
  containers: SimContainer[];
  logFile?: string;
  child?: ChildProcess;
  timers: NodeJS.Timeout[];
}

export interface RunTaskInputLike {
  cluster?: string;
  taskDefinition?: string;
  clientToken?: string;
  startedBy?: string;
  capacityProviderStrategy?: { capacityProvider?: string }[];
  overrides?: {
    containerOverrides?: { name?: string; environment?: { name?: string; value?: string }[]; command?: string[] }[];
    cpu?: string;
    memory?: string;
  };
}

const imageOf = (c: Container | Job['sidecars'][number]): string =>
  typeof c.image === 'string'
    ? c.image
    : `${LOCAL_ACCOUNT}.dkr.ecr.${LOCAL_REGION}.amazonaws.com/${c.image.ecr}${c.image.digest ? `@${c.image.digest}` : `:${c.image.tag ?? 'latest'}`}`;

export interface SimulatedEcsOptions {
  stage: string;
  clusterArn: string;
  catalog: () => Catalog;
  script: OutcomeScript;
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

  constructor(private readonly opts: SimulatedEcsOptions) {}

  /** Tasks that have not stopped yet. */
  active(): SimTask[] {
    return [...this.tasks.values()].filter((t) => t.lastStatus !== 'STOPPED');
  }

  runTask(input: RunTaskInputLike): { tasks: Record<string, unknown>[]; failures: unknown[] } {
    const token = input.clientToken ?? randomUUID();
    const known = this.byToken.get(token);
    if (known) return { tasks: [this.describe(this.tasks.get(known) as SimTask)], failures: [] };
    const ref = parseStartedBy(input.startedBy);
    const job = this.opts.catalog().jobs.find((j) => input.taskDefinition?.endsWith(`-${j.name}`));
    if (!job || !ref)
      return {
        tasks: [],
        failures: [
          { arn: input.taskDefinition, reason: 'MISSING', detail: 'no such task definition in the local catalog' },
        ],
      };
    const id = createHash('sha256').update(token).digest('hex').slice(0, 32);
    const taskArn = `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:task/${this.opts.clusterArn.split('/').pop()}/${id}`;
    const override = input.overrides?.containerOverrides?.find((c) => c.name === 'main');
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
      version: 1,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      createdAt: new Date(),
      containers: [
        { name: 'main', image: imageOf(job.container), essential: true, lastStatus: 'PENDING' },
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
    if (!task) return {};
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

  listTasks(input: { startedBy?: string; desiredStatus?: string }): { taskArns: string[] } {
    return {
      taskArns: [...this.tasks.values()]
        .filter(
          (t) =>
            (!input.startedBy || t.startedBy === input.startedBy) &&
            (!input.desiredStatus || t.desiredStatus === input.desiredStatus),
        )
        .map((t) => t.taskArn),
    };
  }

  /** Stops everything (process exit). */
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
    const outcome: Outcome = this.opts.script(task) ?? (task.command ? { kind: 'command' } : { kind: 'exit', code: 0 });
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

  /**
   * Why the process for this command cannot be started, before trying: a NUL byte cannot be in an
   * argument or an environment variable of any process (Node refuses it, and so would the container
   * runtime). The reason names where it is, never the value (environment values may be secrets).
   */
  private unstartable(command: string[], env: Record<string, string>): string | undefined {
    const arg = command.findIndex((a) => a.includes('\0'));
    if (arg >= 0) return `command element ${arg + 1} contains a NUL byte`;
    const name = Object.keys(env).find((k) => k.includes('\0') || env[k]?.includes('\0'));
    if (name !== undefined) return `environment variable ${JSON.stringify(name)} contains a NUL byte`;
    return undefined;
  }

  private runCommand(task: SimTask, job: Job): void {
    const [cmd, ...args] = task.command ?? [];
    if (!cmd) {
      this.markRunning(task);
      this.finish(task, { exitCode: 0 });
      return;
    }
    const taskId = task.taskArn.split('/').pop() as string;
    const logFile = join(
      this.opts.logsDir,
      logGroupName(this.opts.stage, job).replace(/^\//, ''),
      job.container.logs.streamPrefix,
      'main',
      `${taskId}.log`,
    );
    mkdirSync(dirname(logFile), { recursive: true });
    task.logFile = logFile;
    const log = createWriteStream(logFile);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...task.env,
      ...this.opts.secrets(job.name),
      LONGSHORE_LOCAL_BUCKETS: this.opts.bucketsDir,
    };
    // As ECS reports a container that cannot start: STOPPED, TaskFailedToStart, never RUNNING.
    const failedToStart = (why: string) => {
      if (task.lastStatus === 'STOPPED') return;
      log.end(`[longshore local] could not start the command: ${why}\n`);
      this.finish(task, { stopCode: 'TaskFailedToStart', stoppedReason: `CannotStartContainerError: ${why}` });
    };
    const refused = this.unstartable(task.command ?? [], env);
    if (refused) {
      failedToStart(refused);
      return;
    }
    let child: ChildProcess;
    try {
      child = spawn(cmd === 'node' ? process.execPath : cmd, args, {
        cwd: this.opts.projectDir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      // Node's message may quote the environment (values can be secrets): its code only.
      failedToStart(`${JSON.stringify(cmd)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).name}`);
      return;
    }
    task.child = child;
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('spawn', () => {
      if (task.lastStatus !== 'STOPPED') this.markRunning(task);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      // Before 'spawn': the process never existed (ENOENT, EACCES). After it: a failed kill, nothing to report.
      if (task.startedAt === undefined) failedToStart(`${JSON.stringify(cmd)}: ${e.code ?? e.message}`);
    });
    child.on('exit', (code, signal) => {
      log.end();
      if (task.lastStatus === 'STOPPED') return;
      this.finish(task, { exitCode: code ?? (signal === 'SIGKILL' ? 137 : 143) });
    });
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
      if (c.name === 'main') {
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
    const detail = this.describe(task, true);
    this.opts.emit({
      version: '0',
      id: randomUUID(),
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: LOCAL_ACCOUNT,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: LOCAL_REGION,
      resources: [task.taskArn],
      detail,
    });
  }

  /**
   * Task state change events this task could send next, for `longshore invoke` follow-ups: the
   * task itself does not run in record-only mode, so these let a user play its life by hand.
   */
  eventVariants(taskArn: string): Record<string, Record<string, unknown>> {
    const base = this.tasks.get(taskArn);
    if (!base) return {};
    const at = (ms: number) => new Date(base.createdAt.getTime() + ms);
    const make = (patch: Partial<SimTask>, main: Partial<SimContainer>): Record<string, unknown> => {
      const t: SimTask = {
        ...base,
        ...patch,
        containers: base.containers.map((c) => ({
          ...c,
          lastStatus: patch.lastStatus ?? c.lastStatus,
          ...(c.name === 'main' ? main : patch.lastStatus === 'STOPPED' ? { exitCode: 0 } : {}),
        })),
        timers: [],
      };
      return {
        version: '0',
        id: randomUUID(),
        'detail-type': 'ECS Task State Change',
        source: 'aws.ecs',
        account: LOCAL_ACCOUNT,
        time: (t.stoppedAt ?? t.startedAt ?? t.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: LOCAL_REGION,
        resources: [t.taskArn],
        detail: this.describe(t, true),
      };
    };
    const running = { lastStatus: 'RUNNING', desiredStatus: 'RUNNING', version: 3, startedAt: at(15_000) };
    const stopped = (v: number, extra: Partial<SimTask> = {}) => ({
      ...running,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      version: v,
      stoppingAt: at(75_000),
      stoppedAt: at(80_000),
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      ...extra,
    });
    return {
      running: make(running, { lastStatus: 'RUNNING' }),
      'stopped-success': make(stopped(5), { exitCode: 0 }),
      'stopped-exit-1': make(stopped(5), { exitCode: 1 }),
      'stopped-oom': make(stopped(5), {
        exitCode: 137,
        reason: 'OutOfMemoryError: Container killed due to memory usage',
      }),
      'spot-notice': make(
        {
          ...running,
          desiredStatus: 'STOPPED',
          version: 4,
          stopCode: 'SpotInterruption',
          stoppedReason: 'Your Spot Task was interrupted.',
        },
        {},
      ),
      'stopped-spot': make(
        stopped(5, { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' }),
        { exitCode: 143 },
      ),
    };
  }

  /** The task as DescribeTasks (Dates) or an event (ISO strings) shows it. */
  describe(task: SimTask, asEvent = false): Record<string, unknown> {
    const t = (d?: Date) => (d === undefined ? undefined : asEvent ? d.toISOString() : d);
    const family = `longshore-${this.opts.stage}-${task.job}`;
    return Object.fromEntries(
      Object.entries({
        taskArn: task.taskArn,
        clusterArn: this.opts.clusterArn,
        taskDefinitionArn: `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:task-definition/${family}:1`,
        group: `family:${family}`,
        startedBy: task.startedBy,
        lastStatus: task.lastStatus,
        desiredStatus: task.desiredStatus,
        version: task.version,
        capacityProviderName: task.capacity,
        launchType: task.capacity.startsWith('FARGATE') ? 'FARGATE' : 'EC2',
        platformVersion: '1.4.0',
        cpu: String(task.cpu),
        memory: String(task.memory),
        availabilityZone: `${LOCAL_REGION}a`,
        createdAt: t(task.createdAt),
        startedAt: t(task.startedAt),
        stoppingAt: t(task.stoppingAt),
        stoppedAt: t(task.stoppedAt),
        stopCode: task.stopCode,
        stoppedReason: task.stoppedReason,
        overrides: task.overrides,
        containers: task.containers.map((c) => ({
          containerArn: `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:container/${task.taskArn.split('/').pop()}/${c.name}`,
          taskArn: task.taskArn,
          name: c.name,
          image: c.image,
          lastStatus: c.lastStatus,
          ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
          ...(c.reason ? { reason: c.reason } : {}),
        })),
      }).filter(([, v]) => v !== undefined),
    );
  }
}
