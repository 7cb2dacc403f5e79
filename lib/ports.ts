/** The side effects use cases take as a `deps` object; handlers wire the real ones, tests pass fakes. */
import type { EcsPort } from './aws/ecs.ts';
import type { RunEventPublisher } from './aws/eventbridge.ts';
import type { RunStore } from './aws/runStore.ts';
import type { LaunchQueuePort } from './aws/sqs.ts';
import type { Catalog } from './catalog/schema.ts';
import type { NetworkSettings } from './domain/taskRequest.ts';
import type { MetricsPort } from './metrics.ts';

export interface ServiceSettings {
  stage: string;
  clusterArn: string;
}

/** What every use case that changes runs needs. */
export interface CoreDeps {
  settings: ServiceSettings;
  store: Pick<RunStore, keyof RunStore>;
  queue: LaunchQueuePort;
  events: RunEventPublisher;
  catalog: () => Catalog;
  now: () => Date;
  metrics: MetricsPort;
}

export interface LaunchDeps extends CoreDeps {
  ecs: Pick<EcsPort, 'runTask' | 'tasksStartedBy' | 'stopTask'>;
  networks: Record<string, NetworkSettings>;
  /** Resolves when a RunTask call may be made (pacing to Fargate's API limits). */
  pace: () => Promise<void>;
  random: () => number;
}

export interface StopDeps extends CoreDeps {
  ecs: Pick<EcsPort, 'stopTask'>;
}

export interface SweepDeps extends CoreDeps {
  ecs: Pick<EcsPort, 'stopTask' | 'describeTasks' | 'tasksStartedBy'>;
  /** The ARN of a job's schedule trigger, as Scheduler names it in this account and Region. */
  scheduleArn: (job: string, triggerIndex: number) => string;
}
