/**
 * Runs and attempts (docs/architecture.md, Glossary): the records the whole service revolves around.
 *
 * QUEUED -> STARTING -> RUNNING -> SUCCEEDED | FAILED | TIMED_OUT, and back to QUEUED for a retry
 * (attempt + 1). A cancel makes a run CANCELLED at once when it has no task, else CANCELLING until
 * its task is known stopped (then CANCELLED). SKIPPED is a tick an overlap policy declined (or a
 * trigger of a job paused with `--skip`). PAUSED is a QUEUED run the launcher held because its job
 * is paused: `jobs resume` moves it back to QUEUED. A final status is never left.
 */
import type { AttemptCost } from './cost.ts';
import type { EnvPair } from './taskEnvironment.ts';

export const RUN_STATUSES = [
  'QUEUED',
  'PAUSED',
  'STARTING',
  'RUNNING',
  'CANCELLING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'CANCELLED',
  'SKIPPED',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'SKIPPED'];
/** Not final: the run still holds or may still get a task (a PAUSED one once its job resumes). */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['QUEUED', 'PAUSED', 'STARTING', 'RUNNING', 'CANCELLING'];
/**
 * Active and not being cancelled: the failure policy still decides what follows an attempt, and a
 * cancel closes the run. A PAUSED run has no attempt in flight (the launcher held it before
 * claiming one), so only a cancel or a resume moves it.
 */
export const WORKING_STATUSES: readonly RunStatus[] = ['QUEUED', 'PAUSED', 'STARTING', 'RUNNING'];
/** The final statuses an `after` trigger may wait for (a SKIPPED run never ran: nothing follows it). */
export const AFTER_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED'] as const;
export type AfterStatus = (typeof AFTER_STATUSES)[number];
export const isFinal = (status: RunStatus): boolean => FINAL_STATUSES.includes(status);

export type AttemptStatus = 'LAUNCHING' | 'STARTING' | 'RUNNING' | 'STOPPED' | 'LAUNCH_FAILED';

/** An uploaded object as a trigger knows it (from either S3 event shape). */
export interface UploadedObject {
  bucket: string;
  key: string;
  versionId?: string;
  sequencer?: string;
  etag?: string;
  size?: number;
  eventTime?: string;
}

/**
 * What a run of another job left for the runs that follow it (an `after` trigger): its id, job and
 * final status, its own trigger (with the upstream's upstream left out, so the record stays small)
 * and its recorded outcome.
 */
export interface UpstreamRun {
  runId: string;
  job: string;
  status: RunStatus;
  trigger: UpstreamTrigger;
  finishedAt?: string;
  exitCode?: number;
  /** The upstream's result (its JSON text), when the downstream task's overrides have room for it. */
  result?: string;
  /** The upstream had a result too large for the downstream's overrides: read it from the upstream run. */
  resultOmitted?: boolean;
}

/** An upstream run's trigger as a downstream run records it: an `after` keeps only its upstream's id. */
export type UpstreamTrigger =
  | ({ type: 's3' } & UploadedObject)
  | BatchRunTrigger
  | { type: 'schedule'; schedule: string; scheduledTime: string; triggerIndex?: number }
  | { type: 'manual'; token: string; requestedBy?: string }
  | { type: 'after'; upstreamRunId: string; upstreamJob: string }
  | EventRunTrigger
  | MessageRunTrigger;

/**
 * A run an EventBridge event started (an `event` trigger): the event's id, source and detail type,
 * the identity its run id derives from (the values at the trigger's identity paths), and the
 * variables the trigger took from the event for the task.
 */
export interface EventRunTrigger {
  type: 'event';
  triggerIndex: number;
  identity: string[];
  eventId: string;
  source: string;
  detailType: string;
  environment: Record<string, string>;
}

/** A run an SQS message started (an `sqs` trigger): the message, its queue, identity and variables. */
export interface MessageRunTrigger {
  type: 'sqs';
  triggerIndex: number;
  identity: string[];
  messageId: string;
  queue: string;
  environment: Record<string, string>;
}

/**
 * A run a batch of uploads started (an s3 trigger with `batch`): its trigger, its number in that
 * trigger's sequence and when its first object came (its identity), why and when it closed, what
 * it holds, and its manifest: inline when small, else the S3 object longshore wrote.
 */
export interface BatchRunTrigger {
  type: 'batch';
  triggerIndex: number;
  bucket: string;
  seq: number;
  openedAt: string;
  sealedAt: string;
  reason: 'full' | 'bytes' | 'window';
  objects: number;
  bytes: number;
  manifest: { inline: string } | { uri: string };
}

export type OriginalTrigger =
  | ({ type: 's3' } & UploadedObject)
  | BatchRunTrigger
  | { type: 'schedule'; schedule: string; scheduledTime: string; triggerIndex?: number }
  | { type: 'manual'; token: string; requestedBy?: string }
  | { type: 'after'; upstream: UpstreamRun; triggerIndex: number }
  | EventRunTrigger
  | MessageRunTrigger;

export type RunTrigger =
  | OriginalTrigger
  | { type: 'retry'; of: string; token: string; original: OriginalTrigger; requestedBy?: string };

/** The trigger whose data the task sees (a manual retry carries its original's). */
export const originalTrigger = (t: RunTrigger): OriginalTrigger => (t.type === 'retry' ? t.original : t);

export interface RunOverrides {
  /** Name-value pairs, never an object keyed by name: `constructor` or `__proto__` are valid names. */
  environment?: EnvPair[];
  command?: string[];
  cpu?: number;
  memory?: number;
  /** Another tag of the job's main image, or (with `overrides.image`) another image: lib/domain/imageOverride.ts. */
  imageTag?: string;
  image?: string;
}

export interface TaskSizeRecord {
  cpu: number;
  memory: number;
}

/** Retries used so far: the job's application budget, infrastructure retries, and per-rule budgets. */
export interface RetryCounts {
  app: number;
  infra: number;
  rules: Record<string, number>;
}

export interface RunOutcome {
  exitCode?: number;
  stopCode?: string;
  reason?: string;
  action?: string;
  rule?: string;
  diagnosis?: string;
}

/** A fan-out parent's expansion (lib/expandFanOut.ts): set by its first step, moved by each. */
export interface FanOutProgress {
  /** Children the items make (fixed at the first step). */
  total: number;
  /** Children created so far: indices 0..created-1 exist. */
  created: number;
  /** Failed children the parent tolerates (from the job's `tolerate`, fixed at the first step). */
  tolerated: number;
  /** Children queued or running at once (the job's `maxParallel`, fixed at the first step). */
  maxParallel?: number;
}

/** A fan-out child: its parent, its index among the parent's `count` children, and its items (JSON). */
export interface ChildOf {
  runId: string;
  index: number;
  count: number;
  items: string;
}

/** The items of a retried fan-out parent that a new parent runs again: that parent's children at these indices. */
export interface ItemsOf {
  runId: string;
  indices: number[];
}

export interface Run {
  runId: string;
  job: string;
  status: RunStatus;
  /** The current attempt: the one being launched, running, or the last one once final. */
  attempt: number;
  createdAt: string;
  updatedAt: string;
  trigger: RunTrigger;
  overrides?: RunOverrides;
  /** Capacity provider of the current attempt (FARGATE after a Spot interruption, for good). */
  capacity: string;
  size: TaskSizeRecord;
  retries: RetryCounts;
  /** A delayed retry must not launch before this time. */
  notBefore?: string;
  waitingForSlot?: boolean;
  /** When the launcher held this run because its job was paused (PAUSED), and when a resume released it. */
  pausedAt?: string;
  releasedAt?: string;
  /** When a freed slot last sent this waiting run a launch message (cleared when the launcher handles it). */
  dispatchedAt?: string;
  slot?: number;
  taskArn?: string;
  startedAt?: string;
  finishedAt?: string;
  outcome?: RunOutcome;
  reason?: string;
  /** When the sweeper stopped the task for running past the job's timeout. */
  timeoutRequestedAt?: string;
  /** CANCELLING: when the cancel was asked for, and when StopTask last succeeded (the sweeper repeats it). */
  cancelRequestedAt?: string;
  stopRequestedAt?: string;
  /**
   * Run events this run owes (keys like "started#1"), recorded by the write that made each due; the
   * invocation that made the write publishes it, and a redelivery that finds the write done
   * publishes it again under the same `eventId` (docs/decisions.md, "Run events recorded with the
   * transition").
   */
  published: string[];
  /**
   * The estimated cost of the attempts settled so far, US dollars (each attempt's `cost`, added by
   * the transition that settles it, so once); absent while none was priced (EC2 capacity).
   */
  costUsd?: number;
  /**
   * A SUCCEEDED run's result (a job's `result`, lib/domain/runResult.ts): its JSON text, at most
   * 4 KB; or why it could not be read (`resultError`: the run succeeded all the same).
   */
  result?: string;
  resultError?: string;
  /** A fan-out parent (issue 14): its expansion, and once final, its children by final status. */
  fanOut?: FanOutProgress;
  childCounts?: Partial<Record<RunStatus, number>>;
  /** The first failed children's indices (LISTED_FAILURES of them; the tally items hold all). */
  failedChildren?: number[];
  /** A fan-out child: which parent and index. */
  parent?: ChildOf;
  /**
   * A fan-out parent made by `runs retry PARENT --failed`: its children are the items of these
   * children of that parent (the ones that did not succeed), in this order (lib/expandFanOut.ts).
   */
  itemsOf?: ItemsOf;
  /**
   * A fan-out child past its parent's `maxParallel`: created, not queued, until a child that ends
   * releases it (lib/tallyChild.ts `releaseHeld`); the launcher and the sweeper's requeue leave it.
   */
  heldByParent?: boolean;
  expiresAt: number;
}

export interface ContainerResult {
  name: string;
  exitCode?: number;
  reason?: string;
  essential?: boolean;
}

export interface Decision {
  action: string;
  rule: string;
  diagnosis: string;
  next: string;
  delaySeconds?: number;
}

export interface Attempt {
  runId: string;
  attempt: number;
  status: AttemptStatus;
  launchRequestedAt: string;
  /** Until then another launcher must not take this attempt over (it is being launched). */
  leaseUntil?: string;
  launchTries: number;
  lastLaunchError?: string;
  capacityProvider: string;
  cpu: number;
  memory: number;
  taskArn?: string;
  /** `detail.version` of the last task event applied: events at or below it are stale. */
  taskVersion?: number;
  lastStatus?: string;
  desiredStatus?: string;
  taskCreatedAt?: string;
  /** When the task began pulling its image: Fargate bills from here (lib/domain/cost.ts). */
  pullStartedAt?: string;
  startedAt?: string;
  stoppingAt?: string;
  stoppedAt?: string;
  durationSeconds?: number;
  stopCode?: string;
  stoppedReason?: string;
  containers?: ContainerResult[];
  spotNoticeAt?: string;
  launchFailure?: string;
  logLink?: string;
  /** The cost estimate, recorded with the STOPPED event (none for EC2 capacity). */
  cost?: AttemptCost;
  decision?: Decision;
  /** The run's own expiry (DynamoDB TTL): every item of a run goes with it. */
  expiresAt?: number;
}

/** How long run history is kept (DynamoDB TTL). */
export const RETENTION_DAYS = 90;
export const expiresAtFor = (createdAt: Date): number =>
  Math.floor(createdAt.getTime() / 1000) + RETENTION_DAYS * 86400;
