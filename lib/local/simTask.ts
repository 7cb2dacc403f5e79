/**
 * A simulated task: what the simulated ECS keeps of it, and how ECS shows it (DescribeTasks, task
 * state change events), as it is and as it could be next (the follow-up events of `longshore invoke`).
 */
import type { ChildProcess } from 'node:child_process';
import type { Container, Job } from '../catalog/schema.ts';
import { MAIN_CONTAINER_NAME, taskFamily } from '../domain/names.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './environment.ts';
import { taskStateChange } from './eventFactory.ts';

/** Where the task runs: its stage (for the task definition family) and cluster. */
export interface TaskPlace {
  stage: string;
  clusterArn: string;
}

export interface SimContainer {
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
  /** The revision RunTask named (a run on another image has its own); the family's first otherwise. */
  taskDefinitionArn?: string;
  version: number;
  lastStatus: string;
  desiredStatus: string;
  createdAt: Date;
  /** When the (simulated) image pull began: Fargate bills from here. */
  pullStartedAt?: Date;
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

export const imageOf = (c: Container | Job['sidecars'][number]): string =>
  typeof c.image === 'string'
    ? c.image
    : `${LOCAL_ACCOUNT}.dkr.ecr.${LOCAL_REGION}.amazonaws.com/${c.image.ecr}${c.image.digest ? `@${c.image.digest}` : `:${c.image.tag ?? 'latest'}`}`;

/**
 * Task state change events this task could send next, for `longshore invoke` follow-ups: the task
 * itself does not run in record-only mode, so these let a user play its life by hand.
 */
export const taskEventVariants = (base: SimTask, place: TaskPlace): Record<string, Record<string, unknown>> => {
  const at = (ms: number) => new Date(base.createdAt.getTime() + ms);
  const make = (patch: Partial<SimTask>, main: Partial<SimContainer>): Record<string, unknown> => {
    const t: SimTask = {
      ...base,
      ...patch,
      containers: base.containers.map((c) => ({
        ...c,
        lastStatus: patch.lastStatus ?? c.lastStatus,
        ...(c.name === MAIN_CONTAINER_NAME ? main : patch.lastStatus === 'STOPPED' ? { exitCode: 0 } : {}),
      })),
      timers: [],
    };
    return taskStateChange(describeTask(t, place, true), t.stoppedAt ?? t.startedAt ?? t.createdAt);
  };
  const running = {
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    version: 3,
    pullStartedAt: at(5_000),
    startedAt: at(15_000),
  };
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
};

/** The task as DescribeTasks (Dates) or an event (ISO strings) shows it. */
export const describeTask = (
  task: SimTask,
  place: TaskPlace,
  asEvent = false,
): Record<string, unknown> & { taskArn: string } => {
  const t = (d?: Date) => (d === undefined ? undefined : asEvent ? d.toISOString() : d);
  const family = taskFamily(place.stage, task.job);
  const described = Object.fromEntries(
    Object.entries({
      taskArn: task.taskArn,
      clusterArn: place.clusterArn,
      taskDefinitionArn:
        task.taskDefinitionArn ?? `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:task-definition/${family}:1`,
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
      pullStartedAt: t(task.pullStartedAt),
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
  return { ...described, taskArn: task.taskArn };
};
