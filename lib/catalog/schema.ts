/**
 * The job catalog's schema: the structure (types, required fields, unknown fields) checked by zod.
 * Rules that span fields or need a domain message (valid Fargate sizes, name lengths, secret ARN
 * forms, references between jobs, networks and alert routes) live in `validate.ts`, which runs after
 * this and reports every problem at once.
 */
import * as z from 'zod';
import { AFTER_STATUSES } from '../domain/run.ts';

export const paramRef = z.strictObject({
  param: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'a stage parameter name: letters and digits, starting with a letter'),
});
export type ParamRef = z.infer<typeof paramRef>;

const stringList = z.array(z.string());

export const network = z.strictObject({
  subnets: z.union([stringList, paramRef]),
  securityGroups: z.union([stringList, paramRef]),
  assignPublicIp: z.boolean().default(false),
});

const image = z.union([
  z.string(),
  z.strictObject({ ecr: z.string(), tag: z.string().optional(), digest: z.string().optional() }),
]);

export const secretRef = z.union([
  z.strictObject({ ssm: z.string(), kmsKey: z.string().optional() }),
  z.strictObject({
    secretsManager: z.string(),
    jsonKey: z.string().optional(),
    versionStage: z.string().optional(),
    versionId: z.string().optional(),
    kmsKey: z.string().optional(),
  }),
]);
export type SecretRef = z.infer<typeof secretRef>;

const containerFields = {
  image,
  command: z.array(z.string()).optional(),
  entryPoint: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).default({}),
  environmentFiles: z.array(z.string()).default([]),
  secrets: z.record(z.string(), secretRef).default({}),
  workingDirectory: z.string().optional(),
  user: z.string().optional(),
  ports: z.array(z.number()).default([]),
  stopTimeoutSeconds: z.number().optional(),
  readonlyRootFilesystem: z.boolean().default(false),
  /** Local flow only: the command the simulated ECS runs as a child process for this container. */
  localCommand: z.array(z.string()).optional(),
};

export const logConfig = z.strictObject({
  group: z.string().optional(),
  streamPrefix: z.string().default('longshore'),
  retentionDays: z.number().default(30),
});

export const container = z.strictObject({
  ...containerFields,
  logs: logConfig.default({ streamPrefix: 'longshore', retentionDays: 30 }),
});
export const sidecar = z.strictObject({ ...containerFields, name: z.string(), essential: z.boolean().default(false) });

export const volume = z.strictObject({
  name: z.string(),
  mountPath: z.string(),
  readOnly: z.boolean().default(false),
  /** Containers that mount it ('main' and sidecar names); all of them when omitted. */
  containers: z.array(z.string()).optional(),
  efs: z
    .strictObject({
      fileSystemId: z.union([z.string(), paramRef]),
      accessPointId: z.union([z.string(), paramRef]).optional(),
      rootDirectory: z.string().optional(),
      iamAuthorization: z.boolean().default(true),
      transitEncryption: z.boolean().default(true),
    })
    .optional(),
});

export const size = z.strictObject({
  cpu: z.number(),
  memory: z.number(),
  ephemeralStorageGiB: z.number().optional(),
  gpus: z.number().optional(),
});

const placementStrategy = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('binpack'), field: z.enum(['cpu', 'memory']) }),
  z.strictObject({ type: z.literal('spread'), field: z.string() }),
  z.strictObject({ type: z.literal('random') }),
]);
const placementConstraint = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('distinctInstance') }),
  z.strictObject({ type: z.literal('memberOf'), expression: z.string() }),
]);

export const capacity = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('fargate') }),
  z.strictObject({ type: z.literal('fargate-spot'), fallback: z.enum(['on-demand', 'none']).default('on-demand') }),
  z.strictObject({
    type: z.literal('ec2'),
    capacityProvider: z.string(),
    placementStrategy: z.array(placementStrategy).default([]),
    placementConstraints: z.array(placementConstraint).default([]),
  }),
]);

/**
 * The variables an event or sqs trigger takes, by path. `__proto__` is refused by the key schema:
 * past parsing, an object cannot hold it as a key (it would set the prototype), so it would vanish.
 */
const pathEnvironment = z
  .preprocess(
    (v, ctx) => {
      if (typeof v === 'object' && v !== null && Object.hasOwn(v, '__proto__'))
        ctx.addIssue({ code: 'custom', message: '__proto__ is not a valid variable name', input: v });
      return v;
    },
    z.record(z.string(), z.string()),
  )
  .default({});

export const trigger = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('s3'),
    bucket: z.string(),
    prefix: z.string().optional(),
    suffix: z.string().optional(),
    /**
     * Collect uploads into batches (issue 14, section 2): one run per batch of up to `maxObjects`
     * (and `maxBytes`), started when it is full or `window` after its first object.
     */
    batch: z.strictObject({ maxObjects: z.number(), window: z.string(), maxBytes: z.number().optional() }).optional(),
  }),
  z.strictObject({
    type: z.literal('schedule'),
    expression: z.string(),
    timezone: z.string().default('UTC'),
    overlap: z.enum(['allow', 'forbid', 'replace']).default('allow'),
    enabled: z.boolean().default(true),
  }),
  z.strictObject({ type: z.literal('manual') }),
  /**
   * A run of another job reached one of these final statuses (issue 14, section 3): from the run
   * events longshore publishes on its own bus, one run per upstream run.
   */
  z.strictObject({
    type: z.literal('after'),
    job: z.string(),
    on: z.array(z.enum(AFTER_STATUSES)).default(['SUCCEEDED']),
    filter: z
      .strictObject({
        /** The upstream run's own trigger kinds (a retry counts as its original's). */
        trigger: z.array(z.enum(['s3', 'batch', 'schedule', 'manual', 'after', 'event', 'sqs'])).optional(),
        /** For an upstream S3 trigger: the object key starts with this. */
        keyPrefix: z.string().optional(),
      })
      .optional(),
  }),
  /**
   * An EventBridge event (issue 14, section 4): a rule with this pattern on the default bus or the
   * named one; `environment` takes values from the event by path (lib/domain/eventPath.ts) into the
   * task's variables; the run id derives from the values at `identity` (the event id by default,
   * the same on every redelivery).
   */
  z.strictObject({
    type: z.literal('event'),
    bus: z.string().optional(),
    pattern: z.record(z.string(), z.unknown()),
    environment: pathEnvironment,
    identity: z.union([z.string(), z.array(z.string())]).default('$.id'),
  }),
  /**
   * A message on the user's SQS queue: an event source mapping with partial batch responses. Paths
   * read the record with its body parsed as JSON (`$.body.orderId`, `$.messageId`); the run id
   * derives from the values at `identity` (the message id by default).
   */
  z.strictObject({
    type: z.literal('sqs'),
    queue: z.union([z.string(), paramRef]),
    /**
     * The queue's customer-managed KMS key (its ARN, or a stage parameter), when the queue is
     * encrypted with one: the event source mapping receives with onMessage's role, which then needs
     * kms:Decrypt on it (SQS developer guide, "Configuring KMS permissions"). Not for SSE-SQS or
     * the AWS managed key alias/aws/sqs.
     */
    kmsKey: z.union([z.string(), paramRef]).optional(),
    environment: pathEnvironment,
    identity: z.union([z.string(), z.array(z.string())]).default('$.messageId'),
  }),
]);

export const backoff = z.strictObject({
  base: z.string().default('30s'),
  factor: z.number().default(2),
  cap: z.string().default('15m'),
});

export const POLICY_ACTIONS = ['retry', 'retry-on-demand', 'retry-bigger', 'fail', 'ignore'] as const;

export const policyRule = z.strictObject({
  name: z.string(),
  match: z.strictObject({
    exitCodes: z.array(z.union([z.number(), z.tuple([z.number(), z.number()])])).optional(),
    stopCodes: z.array(z.string()).optional(),
    /** A regular expression tested against the task's stoppedReason and every container's reason. */
    reason: z.string().optional(),
    /** A regular expression tested against a launch failure (RunTask failures[] or error). */
    launchFailure: z.string().optional(),
  }),
  action: z.enum(POLICY_ACTIONS),
  /** For retry: this rule's own attempt budget (retries, not counting the first attempt). */
  retries: z.number().optional(),
  backoff: backoff.optional(),
  /** Counted against the job's retry budget (default true for retry, false otherwise). */
  countsAgainstBudget: z.boolean().optional(),
  diagnosis: z.string().optional(),
});

export const policy = z.strictObject({
  /** Retries for application failures (non-zero exits) across the run. */
  retries: z.number().default(2),
  backoff: backoff.default({ base: '30s', factor: 2, cap: '15m' }),
  rules: z.array(policyRule).default([]),
  /** Append the shipped default rules after the job's own rules. */
  useDefaultRules: z.boolean().default(true),
  /** retry-bigger grows memory by this factor to the next valid size... */
  memoryGrowth: z.number().default(2),
  /** ...and never above this many MiB. */
  maxMemory: z.number().optional(),
  /** Retries that do not count against `retries` (Spot interruptions, platform retirement). */
  maxInfrastructureRetries: z.number().default(5),
});

export const alertRoute = z.strictObject({
  /** Publish to the service's SNS alert topic. */
  sns: z.boolean().default(true),
  /** Secrets Manager secret name (or ARN) whose SecretString is a webhook URL to POST alerts to. */
  webhookSecret: z.string().optional(),
  on: z.array(z.enum(['FAILED', 'TIMED_OUT', 'MISSED_SCHEDULE'])).default(['FAILED', 'TIMED_OUT', 'MISSED_SCHEDULE']),
});

/**
 * What someone who may trigger the job by hand (or retry it) may change for one run (checked in
 * lib/domain/overrides.ts). A command override runs any program with the job's secrets and task
 * role, and an environment variable can load code (LD_PRELOAD, NODE_OPTIONS, JAVA_TOOL_OPTIONS...):
 * neither is allowed unless the job says so. Size changes only cost.
 */
export const overridePolicy = z.strictObject({
  /** Replace the container's command for a run. */
  command: z.boolean().default(false),
  /** Variables a run may set: these names, or `true` for any name (as powerful as `command`), or none. */
  environment: z.union([z.array(z.string()), z.boolean()]).default([]),
  /** Change cpu and memory for a run (to another valid size). */
  size: z.boolean().default(true),
  /**
   * Run on any image (`trigger --image URI`): as powerful as `command`. A tag of the job's own
   * repository (`--image-tag`) needs no setting: that repository is the job's already.
   */
  image: z.boolean().default(false),
});

/**
 * What a successful run hands on (lib/domain/runResult.ts): the main container's last log line that
 * is a JSON object or array, at most 4 KB, recorded on the run and carried in `Run Succeeded`.
 * `file` is refused by validation with its reason (docs/decisions.md, "Run results"): a file inside
 * a Fargate task cannot be read once the task stopped; print it as the last line instead.
 */
export const resultSpec = z.strictObject({
  lastLogLine: z.boolean().optional(),
  file: z.string().optional(),
});

const iamStatement = z.strictObject({
  effect: z.enum(['Allow', 'Deny']).default('Allow'),
  actions: z.array(z.string()),
  resources: z.array(z.string()),
});

/**
 * Fan-out (issue 14, section 1; lib/domain/fanOut.ts): a run of the job becomes a parent that never
 * gets a task, and its items become children, each an ordinary run of the job with its chunk.
 */
export const fanOut = z.strictObject({
  /** `count`: the items are 0..count-1 (docs/decisions.md, "Fan-out (issue 14)"). */
  items: z.strictObject({ count: z.number() }),
  /** The most items one child gets; a chunk closes early when its JSON would not fit the overrides. */
  itemsPerTask: z.number().default(1),
  /** Children of one parent queued or running at once (on top of the job's maxConcurrent). */
  maxParallel: z.number().optional(),
  /** Failed children allowed: a count (2) or a percentage of the children ('5%'); default 0. */
  tolerate: z.union([z.number(), z.string()]).default(0),
});
export type FanOut = z.output<typeof fanOut>;

export const job = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  container,
  sidecars: z.array(sidecar).default([]),
  volumes: z.array(volume).default([]),
  size,
  architecture: z.enum(['X86_64', 'ARM64']).default('X86_64'),
  capacity: capacity.default({ type: 'fargate' }),
  network: z.string().default('default'),
  triggers: z.array(trigger),
  timeout: z.string().default('1h'),
  maxConcurrent: z.number().optional(),
  fanOut: fanOut.optional(),
  policy: policy.default({
    retries: 2,
    backoff: { base: '30s', factor: 2, cap: '15m' },
    rules: [],
    useDefaultRules: true,
    memoryGrowth: 2,
    maxInfrastructureRetries: 5,
  }),
  alerts: z.union([z.string(), z.literal(false)]).default('default'),
  overrides: overridePolicy.default({ command: false, environment: [], size: true, image: false }),
  taskRole: z
    .strictObject({
      /** Grant s3:GetObject on the objects this job's S3 triggers match. */
      readTriggerObjects: z.boolean().default(true),
      statements: z.array(iamStatement).default([]),
    })
    .default({ readTriggerObjects: true, statements: [] }),
  tags: z.record(z.string(), z.string()).default({}),
  result: resultSpec.optional(),
});

export const catalog = z.strictObject({
  networks: z.record(z.string(), network),
  alerts: z
    .record(z.string(), alertRoute)
    .default({ default: { sns: true, on: ['FAILED', 'TIMED_OUT', 'MISSED_SCHEDULE'] } }),
  jobs: z.array(job),
});

export type CatalogInput = z.input<typeof catalog>;
export type JobInput = z.input<typeof job>;
export type Catalog = z.output<typeof catalog>;
export type Job = z.output<typeof job>;
export type Container = z.output<typeof container>;
export type Sidecar = z.output<typeof sidecar>;
export type Volume = z.output<typeof volume>;
export type Trigger = z.output<typeof trigger>;
export type S3Trigger = Extract<Trigger, { type: 's3' }>;
export type ScheduleTrigger = Extract<Trigger, { type: 'schedule' }>;
export type AfterTrigger = Extract<Trigger, { type: 'after' }>;
export type EventTrigger = Extract<Trigger, { type: 'event' }>;
export type QueueTrigger = Extract<Trigger, { type: 'sqs' }>;
export type Capacity = z.output<typeof capacity>;
export type Network = z.output<typeof network>;
export type Policy = z.output<typeof policy>;
export type PolicyRule = z.output<typeof policyRule>;
export type AlertRoute = z.output<typeof alertRoute>;
export type Backoff = z.output<typeof backoff>;
export type OverridePolicy = z.output<typeof overridePolicy>;
export type ResultSpec = z.output<typeof resultSpec>;
