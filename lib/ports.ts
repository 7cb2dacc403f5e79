/**
 * The side effects use cases take as a `deps` object, declared here where their users are and in
 * their words: the adapters in lib/aws conform to these (`buildRunStore(doc, table): RunStore`),
 * handlers wire the real ones (lib/wiring.ts), tests pass fakes (test/helpers/fakes.ts).
 * A port changes here, visibly, never as a side effect of an adapter edit.
 *
 * Over 300 lines, on purpose: it holds declarations only, in sections by who takes them (the run
 * store, the service's other ports and each use case's deps, the doctor's), and every port stays in
 * this one file so that an adapter's port is always found in the same place.
 */
import type { Catalog } from './catalog/schema.ts';
import type { BatchAssignment, BatchCloseReason, BatchRecord, BatchSlot, BatchStream } from './domain/batch.ts';
import type { DeadLetterQueue, RawDeadLetter } from './domain/deadLetter.ts';
import type { ChildTally } from './domain/fanOut.ts';
import type { TaskDefinitionSpec } from './domain/imageOverride.ts';
import type { JobState, PauseMode } from './domain/jobState.ts';
import type { Attempt, Decision, FanOutProgress, Run, RunStatus } from './domain/run.ts';
import type { RunEvent } from './domain/runEvents.ts';
import type { NetworkSettings, RunTaskRequest } from './domain/taskRequest.ts';
import type { MetricsPort } from './metrics.ts';

// -- The run store ---------------------------------------------------------------------------

/** A run's move from one status to another, applied only while the run is still where it was. */
export interface TransitionSpec {
  /** Statuses the run must be in for the transition to apply. */
  from: readonly RunStatus[];
  /** The attempt the run must be at, when the transition concerns one attempt. */
  attempt?: number;
  to?: RunStatus;
  set?: Partial<Run>;
  remove?: (keyof Run)[];
  /**
   * Run events this transition makes due (`publishKey`s), recorded in `Run.published` by the same
   * write: the run says which events it owes without a write of its own after each PutEvents.
   */
  publish?: string[];
}

/** Who holds one of a job's concurrency slots. */
export interface SlotHolder {
  slot: number;
  runId: string;
  acquiredAt: string;
}

/** Why a task event was not applied to its attempt. */
export type TaskEventRefusal =
  /** The run never had this attempt (a made-up or foreign startedBy). */
  | 'no-attempt'
  /** The attempt has another task: the event is about a task that is not this attempt's. */
  | 'other-task'
  /** Not newer than what is recorded, or the attempt is STOPPED already. */
  | 'stale';

export type TaskEventResult =
  | { applied: true; attempt: Attempt }
  | { applied: false; why: TaskEventRefusal; current?: Attempt };

/** When a schedule first and last produced a tick (the sweeper's missed-tick check reads it). */
export interface ScheduleTicks {
  firstTick: string;
  lastTick: string;
}

/** Where an alert is sent: the alert topic, and the route's webhook if it has one. */
export type AlertChannel = 'sns' | 'webhook';

/** One alert that must go out once: a run's final status, or a missed tick (by the run it would have had). */
export interface AlertKey {
  runId: string;
  /** FAILED, TIMED_OUT or MISSED. */
  what: 'FAILED' | 'TIMED_OUT' | 'MISSED';
}

/**
 * Whether this invocation may send an alert, and to which channels it went already: `claimed` with
 * the channels sent (a retry after a crash sends only the others), or not, because it was sent or
 * another invocation is sending it now (its lease has not run out).
 */
export type AlertClaim =
  | { claimed: true; sent: AlertChannel[] }
  | { claimed: false; why: 'sent' | 'in-progress'; sent: AlertChannel[] };

/** A page of a job's runs, newest first; `cursor` continues it. */
export interface RunPage {
  runs: Run[];
  cursor?: string;
}

/** What the launcher knows of an attempt when it claims it. */
export type AttemptClaim = Pick<Attempt, 'runId' | 'attempt' | 'capacityProvider' | 'cpu' | 'memory' | 'expiresAt'>;

/**
 * Every record longshore keeps: runs, their attempts, concurrency slots, schedule ticks, leases.
 * Each write is conditional or idempotent: a Lambda may die between any two calls, and the next
 * delivery must find a state it can continue from. Methods that can lose a race say so in their
 * result (`undefined`, `false`, `claimed: false`), never by throwing.
 */
export interface RunStore {
  getRun(runId: string): Promise<Run | undefined>;
  getAttempt(runId: string, attempt: number): Promise<Attempt | undefined>;
  /** Applies `spec` to the run if its status (and attempt) still allow it; undefined if they do not. */
  transition(run: Run, spec: TransitionSpec, now: Date): Promise<Run | undefined>;
  /**
   * Creates the run unless one with its id exists (invariant 1). A duplicate delivery gets the
   * existing run back and `created: false`.
   */
  createRun(run: Run): Promise<{ created: boolean; run: Run }>;
  /** The run and all its attempts, oldest attempt first. */
  getHistory(runId: string): Promise<{ run: Run; attempts: Attempt[] } | undefined>;
  /**
   * Takes the launch of one attempt (invariant 2): creates the attempt record, or takes over one
   * whose lease ran out (its launcher died). `claimed` is false when another launcher holds it or
   * it was launched already; the attempt is returned either way.
   */
  claimAttempt(init: AttemptClaim, now: Date, leaseSeconds: number): Promise<{ claimed: boolean; attempt: Attempt }>;
  /**
   * Records the task RunTask started: the attempt moves LAUNCHING -> STARTING unless a task event
   * got there first (then only the task is filled in); the run moves QUEUED -> STARTING if it is
   * still at this attempt. Returns the run if it moved, and the attempt as it is now (one read less
   * for the caller that publishes Run Started with it).
   */
  recordLaunched(run: Run, taskArn: string, now: Date): Promise<{ run?: Run; attempt?: Attempt }>;
  /** Gives the attempt back after a retryable launch failure (throttling, capacity): the next try may claim it at once. */
  releaseAttempt(runId: string, attempt: number, error: string, now: Date): Promise<void>;
  /** Closes an attempt whose launch failed for good (if it is still launching). */
  recordLaunchFailed(runId: string, attempt: number, reason: string, now: Date): Promise<void>;
  /**
   * Applies a task event to the attempt it names (invariant 3), only when all of these hold: the
   * attempt exists (an event never creates one), it has no task yet or this very task, the event is
   * newer than the last one applied (`version`), and the attempt is not STOPPED.
   */
  applyTaskEvent(
    ref: { runId: string; attempt: number },
    event: { taskArn: string; version: number },
    patch: Partial<Attempt>,
  ): Promise<TaskEventResult>;
  /** Records the policy's decision on an attempt that exists; undefined if it does not. */
  recordDecision(runId: string, attempt: number, decision: Decision): Promise<Attempt | undefined>;
  /**
   * Remembers a schedule's tick (first and latest scheduled time), so the sweeper can tell a missed
   * tick by the schedule's own record, whatever else the job runs. Out-of-order ticks never move
   * `lastTick` back. The record expires like run history when the schedule stops ticking.
   */
  recordScheduleTick(job: string, triggerIndex: number, scheduledTime: string, expiresAt: number): Promise<void>;
  scheduleTicks(job: string, triggerIndex: number): Promise<ScheduleTicks | undefined>;
  /**
   * Takes a named lease for `seconds` unless someone else holds it: true when `holder` has it now.
   * Makes work single-flight (the sweeper) without reserved Lambda concurrency.
   */
  takeLease(name: string, holder: string, seconds: number, now: Date): Promise<boolean>;
  /** Gives a lease back early (only its holder can). */
  releaseLease(name: string, holder: string, now: Date): Promise<void>;
  /**
   * Records, once, that a schedule tick produced no run: true the first time, and again while its
   * `Schedule Missed` event is not recorded as published (recordMissedTickPublished); false after.
   * Kept beside the run the tick should have created, so a late tick still creates its run.
   */
  markMissedTick(runId: string, details: Record<string, unknown>, expiresAt: number): Promise<boolean>;
  /** Records that the missed tick's `Schedule Missed` event is published: later sweeps leave it. */
  recordMissedTickPublished(runId: string): Promise<void>;
  /**
   * Takes the sending of one alert for `leaseSeconds` (longer than the alert function's timeout):
   * claimed unless it was sent, or another holder's lease is still running. The marker expires with
   * the run (`expiresAt`).
   */
  claimAlert(key: AlertKey, holder: string, now: Date, leaseSeconds: number, expiresAt: number): Promise<AlertClaim>;
  /**
   * Records that the holder sent the alert to `channel`; with `done`, that the alert is sent (no
   * other invocation sends it again). Only the lease holder's record applies: false otherwise.
   */
  recordAlertSent(key: AlertKey, holder: string, channel: AlertChannel | undefined, done: boolean): Promise<boolean>;
  /**
   * Records run events as due (in `Run.published`) when no transition recorded them: the caller
   * publishes them after. A transition that makes an event due records it itself
   * (`TransitionSpec.publish`), so on a clean run this is never called.
   */
  markPublished(runId: string, keys: string[]): Promise<void>;
  /**
   * Takes one of the job's `max` concurrency slots for the run (invariant 6), or undefined when all
   * are held. Idempotent: a run that already holds a slot gets it back.
   */
  acquireSlot(job: string, max: number, runId: string, now: Date): Promise<number | undefined>;
  /** Frees the run's slot: false if the slot is no longer this run's. */
  releaseSlot(job: string, slot: number, runId: string): Promise<boolean>;
  slotHolders(job: string): Promise<SlotHolder[]>;
  /** Runs of a job waiting to launch, oldest first. */
  queuedRuns(job: string, limit: number): Promise<Run[]>;
  /**
   * Takes the sending of a launch message to a run that waits for a slot (`waitingForSlot`), at
   * its attempt, unless another freed slot sent it one less than `resendSeconds` ago (its message
   * is on the way: the launcher clears `dispatchedAt` when it handles it). True when the caller
   * must send it; a sender that dies before sending is repeated after `resendSeconds`.
   */
  claimDispatch(run: Run, now: Date, resendSeconds: number): Promise<boolean>;
  /** Every run of a job that is not final. */
  activeRuns(job: string): Promise<Run[]>;
  /** Runs of a job, newest first, optionally since a time; paginated by cursor. */
  runsOfJob(job: string, opts: { since?: string; limit: number; cursor?: string }): Promise<RunPage>;

  // Batches of small uploads (lib/acceptBatch.ts; the records: lib/domain/batch.ts).
  /** The batch of the trigger's sequence with the highest number, read consistently. */
  latestBatch(stream: BatchStream): Promise<BatchRecord | undefined>;
  getBatch(stream: BatchStream, seq: number): Promise<BatchRecord | undefined>;
  /**
   * Hands out the next slot of batch `seq` (creating the batch), in one atomic write, while the
   * batch is not sealed, has fewer than `slotLimit` slots, its window is not over (`openedAt`
   * after `cutoff`) and, with `bytesLimit`, its bytes so far are at most that. Refused: the batch as
   * it is (to tell full from sealed from late).
   */
  reserveBatchSlot(
    stream: BatchStream,
    seq: number,
    limits: { slotLimit: number; cutoff: string; bytesLimit?: number },
    size: number,
    now: Date,
    expiresAt: number,
  ): Promise<{ reserved: true; slot: number; batch: BatchRecord } | { reserved: false; batch?: BatchRecord }>;
  /** Writes the object into its slot unless the slot is written (by a closer's void): false then. */
  fillBatchSlot(stream: BatchStream, seq: number, slot: BatchSlot, expiresAt: number): Promise<boolean>;
  /**
   * Closes an unwritten slot for good (a void tombstone), so a late writer cannot fill it; the slot
   * as it is when it was written already.
   */
  voidBatchSlot(stream: BatchStream, seq: number, slot: number, expiresAt: number): Promise<BatchSlot>;
  /** Slots of a batch, in the order asked (undefined where none was written). */
  batchSlots(stream: BatchStream, seq: number, slots: number[]): Promise<(BatchSlot | undefined)[]>;
  /**
   * Puts the object in a batch's slot unless it is in one already (written once); returns the
   * assignment it has now, this one or the earlier one.
   */
  assignBatchedObject(stream: BatchStream, assignment: BatchAssignment, expiresAt: number): Promise<BatchAssignment>;
  /** Objects' assignments, in the order asked (undefined for an object in no batch). */
  batchedObjects(objectIds: string[]): Promise<(BatchAssignment | undefined)[]>;
  /** Records slots as void (a set: recording one twice is once), while the batch is not sealed; false once it is. */
  addBatchVoids(stream: BatchStream, seq: number, slots: number[]): Promise<boolean>;
  /**
   * Makes a batch's contents final: only if it is not sealed and still has exactly the slots and
   * void slots the caller resolved (`seen`); false otherwise (the caller looks again).
   */
  sealBatch(
    stream: BatchStream,
    seq: number,
    seen: { slots: number; voided: number },
    seal: { reason: BatchCloseReason; members: number; bytes: number; sealedAt: string },
  ): Promise<boolean>;
  /** Records that a sealed batch's run exists (or that it had no member): the sweeper leaves it. */
  markBatchClosed(stream: BatchStream, seq: number, runId: string | undefined, now: Date): Promise<void>;
  /** Batches of a trigger that are not closed yet, oldest first (an index: may lag a write by a moment). */
  openBatches(stream: BatchStream): Promise<BatchRecord[]>;
  /** The job's operating state (paused or not), read consistently; undefined if it was never paused. */
  getJobState(job: string): Promise<JobState | undefined>;
  /**
   * Pauses the job (or changes how a paused job holds its runs): `changed` is false when it was
   * paused that way already (a repeated pause keeps its first `pausedAt`).
   */
  pauseJob(job: string, pause: { mode: PauseMode; by?: string; reason?: string }, now: Date): Promise<PauseChange>;
  /** Resumes a paused job, keeping the window it was paused in; `changed` is false when it was not paused. */
  resumeJob(job: string, now: Date): Promise<PauseChange>;
  /** Runs of a job held PAUSED, oldest first. */
  pausedRuns(job: string, limit: number): Promise<Run[]>;

  // -- Fan-out (issue 14, lib/aws/runStore/childRecords.ts) --
  /**
   * Moves a QUEUED parent's expansion from `from` children created to `progress` (its first step
   * when `from` is 0): undefined when another step moved it first or the parent left QUEUED.
   */
  advanceFanOut(parent: Run, from: number, progress: FanOutProgress, now: Date): Promise<Run | undefined>;
  /** Counts a final child on its parent, once: false when it was counted before. */
  countChild(parentRunId: string, index: number, status: RunStatus, expiresAt: number): Promise<boolean>;
  /** What the parent's children counted so far add up to. */
  childTally(parentRunId: string): Promise<ChildTally>;
  /** Runs by id (those that exist), read consistently, in the order asked. */
  getRuns(runIds: string[]): Promise<Run[]>;
}

/** A pause or a resume: whether it changed the job's state, and the state now. */
export interface PauseChange {
  changed: boolean;
  state: JobState;
}

// -- ECS, the launch queue, the run-event bus, the alert topic --------------------------------

export interface LaunchedTask {
  taskArn: string;
  /** True when ECS said the token was already used: the task is the one launched before. */
  adopted: boolean;
}

/** A task as DescribeTasks shows it, read at the use case with `taskFromDescribe` (lib/contracts/ecs.ts). */
export type DescribedTask = Record<string, unknown> & { taskArn?: string };

export interface EcsPort {
  /** Runs one task; throws LaunchError (with a kind: throttled, capacity, config). */
  runTask(request: RunTaskRequest): Promise<LaunchedTask>;
  /** Tasks ECS lists for this startedBy (the task of a launch whose clientToken expired). */
  tasksStartedBy(cluster: string, startedBy: string): Promise<string[]>;
  stopTask(cluster: string, taskArn: string, reason: string): Promise<void>;
  /** Tasks by ARN; ARNs ECS no longer knows (stopped over an hour ago) come back in `missing`. */
  describeTasks(cluster: string, taskArns: string[]): Promise<{ tasks: DescribedTask[]; missing: string[] }>;
  /** The doctor's: a cluster's status and capacity providers; undefined when ECS does not know it or it is INACTIVE. */
  cluster(cluster: string): Promise<{ status: string; capacityProviders: string[] } | undefined>;
  /** The doctor's: the names among these that are ACTIVE capacity providers of the account. */
  activeCapacityProviders(names: string[]): Promise<string[]>;
}

/** A task definition revision as the image override reads it (lib/domain/imageOverride.ts). */
export interface TaskDefinitionRevision {
  arn: string;
  spec: TaskDefinitionSpec;
  tags: { key: string; value: string }[];
  registeredAt?: string;
}

/**
 * Task definitions, for runs on another image (lib/runTaskDefinition.ts) and the sweeper that
 * deregisters those no run uses. Failures are LaunchError (throttled: retryable; else config).
 */
export interface TaskDefinitionsPort {
  /** The family's latest ACTIVE revision with its tags; undefined when it has none (or no such family). */
  latest(family: string): Promise<TaskDefinitionRevision | undefined>;
  /** Registers a revision with these tags; returns its ARN. */
  register(spec: TaskDefinitionSpec, tags: { key: string; value: string }[]): Promise<string>;
  /** The families starting with `prefix` that have an ACTIVE revision. */
  activeFamilies(prefix: string): Promise<string[]>;
  /** A family's ACTIVE revisions' ARNs, newest first. */
  activeRevisions(family: string): Promise<string[]>;
  /** When a revision was registered (DescribeTaskDefinition), if ECS knows it. */
  registeredAt(arn: string): Promise<string | undefined>;
  deregister(arn: string): Promise<void>;
}

/** One launch message: this attempt of this run, due after `delaySeconds`. */
export interface LaunchEnqueue {
  runId: string;
  attempt: number;
  delaySeconds?: number;
}

export interface LaunchQueuePort {
  /** Sends launch messages; throws EnqueueError when the queue keeps refusing some. */
  enqueue(messages: LaunchEnqueue[]): Promise<void>;
}

export interface RunEventPublisher {
  /** Publishes run events; throws EventPublishError naming the entries the bus refused. */
  publish(events: RunEvent[]): Promise<void>;
}

/** An alert as people read it: a one-line subject, the text, and attributes for subscription filters. */
export interface AlertMessage {
  subject: string;
  text: string;
  attributes: Record<string, string>;
}

export interface AlertTopicPort {
  publish(message: AlertMessage): Promise<void>;
}

// -- What each use case takes -------------------------------------------------------------------

export interface ServiceSettings {
  stage: string;
  clusterArn: string;
}

/** What every use case that changes runs needs. */
export interface CoreDeps {
  settings: ServiceSettings;
  store: RunStore;
  queue: LaunchQueuePort;
  events: RunEventPublisher;
  catalog: () => Catalog;
  now: () => Date;
  metrics: MetricsPort;
  /**
   * The jobs' task logs, for the functions that settle attempts of tasks that ran (the tracker, the
   * sweeper): a job's `result` is read from its main container's last lines. Absent elsewhere.
   */
  logs?: Pick<TaskLogsPort, 'read'>;
}

/** Where longshore writes a batch run's manifest (its manifest bucket): the object's s3:// URI. */
export interface ManifestPort {
  write(key: string, body: string): Promise<string>;
}

/**
 * What closes batches of uploads (onUpload, the sweeper): a manifest too large to go inline is
 * written through `manifests`, which a stack without batched triggers does not have (no bucket).
 */
export interface BatchDeps extends CoreDeps {
  manifests?: ManifestPort;
}

export interface LaunchDeps extends CoreDeps {
  ecs: Pick<EcsPort, 'runTask' | 'tasksStartedBy' | 'stopTask'>;
  /** A run on another image runs on a task definition revision of its own (lib/runTaskDefinition.ts). */
  taskDefinitions: Pick<TaskDefinitionsPort, 'latest' | 'register'>;
  networks: Record<string, NetworkSettings>;
  /** Resolves when a RunTask call may be made (pacing to Fargate's API limits). */
  pace: () => Promise<void>;
  random: () => number;
}

export interface StopDeps extends CoreDeps {
  ecs: Pick<EcsPort, 'stopTask'>;
}

/** What disabling or enabling a schedule did: nothing when it was so already; `missing` when Scheduler has no such schedule. */
export type ScheduleStateChange = 'changed' | 'unchanged' | 'missing';

/** The stage's EventBridge Scheduler schedules, as a pause and a resume change them. */
export interface SchedulesPort {
  /** Enables or disables one schedule, keeping the rest of its definition as it is. */
  setEnabled(group: string, name: string, enabled: boolean): Promise<ScheduleStateChange>;
}

/** What pausing and resuming a job takes: the run store and queue, and the stage's schedules. */
export interface PauseDeps extends CoreDeps {
  schedules: SchedulesPort;
}

/** The control function's deps: a backfill names the schedules' ARNs, as the sweeper does. */
export interface ControlDeps extends StopDeps {
  /** The ARN of a job's schedule trigger, as Scheduler names it in this account and Region. */
  scheduleArn: (job: string, triggerIndex: number) => string;
  /** `jobs pause` / `jobs resume` disable and enable the job's schedules. */
  schedules: SchedulesPort;
}

export interface SweepDeps extends BatchDeps {
  ecs: Pick<EcsPort, 'stopTask' | 'describeTasks' | 'tasksStartedBy'>;
  /** Deregisters the runs' derived task definitions no active run uses (lib/sweepTaskDefinitions.ts). */
  taskDefinitions?: Pick<TaskDefinitionsPort, 'activeFamilies' | 'activeRevisions' | 'registeredAt' | 'deregister'>;
  /** The ARN of a job's schedule trigger, as Scheduler names it in this account and Region. */
  scheduleArn: (job: string, triggerIndex: number) => string;
}

// -- What the doctor reads of an AWS account (`longshore doctor`, read-only) ---------------------
// "It does not exist" is an answer (undefined, `missing`, a state), never an error; any other
// failure (access denied, throttling) throws AwsCheckError naming the call, and the check that
// asked becomes a warning. Secret values never cross a port: only the key names of a JSON value.

export interface CallerPort {
  /** The account of the credentials in use. */
  accountId(): Promise<string>;
}

export interface StacksPort {
  /** A CloudFormation stack's outputs, or undefined when the stack does not exist. */
  outputs(stackName: string): Promise<Record<string, string> | undefined>;
}

/** A parameter of SSM Parameter Store; its value only for String and StringList parameters. */
export interface StoredParameter {
  type: string;
  value?: string;
}

export interface ParameterStorePort {
  /** Parameters by name or ARN: those found, by the name asked, and the missing ones. */
  find(names: string[]): Promise<{ found: Map<string, StoredParameter>; missing: string[] }>;
}

export interface SecretVersions {
  arn: string;
  /** Version id to its staging labels (AWSCURRENT, AWSPREVIOUS, ...). */
  versions: Record<string, string[]>;
}

/** What a secret's value is, never the value: a JSON object (its key names), text or binary. */
export type SecretShape = { kind: 'json'; keys: string[] } | { kind: 'text' } | { kind: 'binary' };

export interface SecretInspectorPort {
  /** The secret's versions, or undefined when it does not exist. */
  versions(secretId: string): Promise<SecretVersions | undefined>;
  /** The shape of one version's value, or undefined when that version does not exist. */
  shape(secretId: string, select: { versionStage?: string; versionId?: string }): Promise<SecretShape | undefined>;
}

/** IAM's answer for one action on one resource: allowed, implicitDeny or explicitDeny. */
export interface PermissionDecision {
  action: string;
  resource: string;
  decision: string;
}

export interface RolesPort {
  /** The role's ARN, or undefined when no role has this name. */
  roleArn(roleName: string): Promise<string | undefined>;
  /** The role's identity policies evaluated for each action on each resource (nothing is done as the role). */
  simulate(roleArn: string, actions: string[], resources: string[]): Promise<PermissionDecision[]>;
}

export type BucketState =
  | { exists: 'no' }
  | { exists: 'forbidden' }
  | { exists: 'yes'; eventBridge: boolean; configuration: Record<string, unknown> };

export type EventBridgeStatus = 'already-on' | 'enabled' | 'would-enable';

export interface EventBridgeResult {
  bucket: string;
  status: EventBridgeStatus;
  /** The bucket's other notification configurations, kept as they were. */
  kept: { topics: number; queues: number; lambdaFunctions: number };
}

/** A trigger bucket's notification settings: read by the doctor, turned on by `buckets enable-eventbridge`. */
export interface BucketsPort {
  /** Whether the bucket exists (or is another account's), and its notification configuration. */
  state(bucket: string): Promise<BucketState>;
  /** Turns EventBridge delivery on, keeping the other configurations; throws BucketSettingError. */
  enableEventBridge(bucket: string, opts: { dryRun: boolean }): Promise<EventBridgeResult>;
}

/** A subnet or a security group, and the VPC it is in. */
export interface VpcResource {
  id: string;
  vpcId: string;
}

export interface RouteTable {
  id: string;
  main: boolean;
  subnetIds: string[];
  /** Targets of the default route (0.0.0.0/0): nat-..., igw-..., tgw-..., eni-..., pcx-... */
  defaultRouteTargets: string[];
}

export interface VpcEndpoint {
  serviceName: string;
  type: string;
  state: string;
}

export interface NetworkPort {
  /** The subnets that exist among these ids (unknown ids are absent). */
  subnets(ids: string[]): Promise<VpcResource[]>;
  /** The security groups that exist among these ids. */
  securityGroups(ids: string[]): Promise<VpcResource[]>;
  routeTables(vpcId: string): Promise<RouteTable[]>;
  vpcEndpoints(vpcId: string): Promise<VpcEndpoint[]>;
}

export type ImageState = 'found' | 'no-repository' | 'no-image';

export interface ImagesPort {
  image(repository: string, ref: { tag?: string; digest?: string }): Promise<ImageState>;
}

export interface QuotasPort {
  /** The account's Fargate vCPU quota, or undefined when Service Quotas has none here. */
  fargateVcpu(kind: 'on-demand' | 'spot'): Promise<number | undefined>;
}

export interface LambdaPort {
  /** The account's concurrent executions, and the part no function has reserved. */
  concurrency(): Promise<{ total: number; unreserved: number }>;
  /** The CLI's: invokes a function and waits; its JSON answer, or the error it ended with (`functionError`). */
  invoke(functionName: string, payload: unknown): Promise<{ payload: unknown; functionError?: string }>;
}

/** A user's SQS queue as the doctor sees it (an sqs trigger's): its visibility timeout and KMS key. */
export interface QueueState {
  exists: 'yes' | 'no' | 'forbidden';
  visibilityTimeoutSeconds?: number;
  /** `KmsMasterKeyId` as SQS gives it (a key id, key ARN, alias or alias ARN); none for SSE-SQS or no encryption. */
  kmsKeyId?: string;
}

export interface QueueInspectorPort {
  /** The queue of this ARN, read only. */
  state(arn: string): Promise<QueueState>;
}

/** What `runDoctor` takes: every port read-only (the doctor changes nothing). */
export interface DoctorPorts {
  caller: CallerPort;
  stacks: StacksPort;
  parameters: ParameterStorePort;
  secrets: SecretInspectorPort;
  roles: RolesPort;
  buckets: Pick<BucketsPort, 'state'>;
  queues: QueueInspectorPort;
  network: NetworkPort;
  ecs: Pick<EcsPort, 'cluster' | 'activeCapacityProviders'>;
  images: ImagesPort;
  quotas: QuotasPort;
  lambda: Pick<LambdaPort, 'concurrency'>;
}

/** One line of a container's log: its message, and when CloudWatch Logs has it, its time. */
export interface LogLine {
  /** ISO 8601 (CloudWatch Logs' event timestamp); none for a local log file. */
  at?: string;
  message: string;
}

/** A container's log stream of one task: `<group>`, `<prefix>/<container>/<task id>`. */
export interface LogStreamRef {
  group: string;
  stream: string;
}

/**
 * The logs of a task's containers, oldest first. `tail`: only the last N lines; `sinceMs`: from
 * that time; `cursor`: after what an earlier read returned (for --follow). A stream that does not
 * exist (the container never started, or has not logged yet) has no lines.
 */
export interface TaskLogsPort {
  read(
    ref: LogStreamRef,
    opts: { tail?: number; sinceMs?: number; cursor?: string },
  ): Promise<{ lines: LogLine[]; cursor?: string }>;
}

/** An S3 object as `trigger --object` names it: what its run's identity and environment take. */
export interface ObjectFacts {
  versionId?: string;
  etag?: string;
  size?: number;
}

// -- The dead-letter queues, as `longshore dlq` reads and redrives them --------------------------

/** `dlq list` reads at most this many messages of a queue; a redrive of chosen ids looks this far. */
export const MAX_DEAD_LETTERS = 500;

export interface MoveTask {
  status: string;
  taskHandle?: string;
  moved?: number;
  toMove?: number;
  startedAt?: string;
  failureReason?: string;
}

export interface RedriveReport {
  queue: DeadLetterQueue;
  /** A redrive of a whole launch DLQ is SQS's message move task. */
  moveTask?: MoveTask;
  redriven: string[];
  notFound: string[];
  failed: { id: string; error: string }[];
}

/** A stage's (or the local flow's) dead-letter queues. */
export interface DeadLetterQueuesPort {
  /** The messages, without consuming them (they stay in the queue, visible). */
  list(queue: DeadLetterQueue, limit: number): Promise<RawDeadLetter[]>;
  /** The queue's message move tasks, newest first (none locally). */
  moveTasks(queue: DeadLetterQueue): Promise<MoveTask[]>;
  /**
   * Sends the messages back where they failed (launch: the launch queue; events: their function,
   * as lib/domain/deadLetter.ts reads it), then removes them.
   */
  redrive(queue: DeadLetterQueue, ids: string[] | 'all'): Promise<RedriveReport>;
}
