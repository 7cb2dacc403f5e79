/**
 * Operator requests to the `control` function (sent by the CLI): trigger a job, retry or cancel a
 * run, backfill a schedule's window, pause or resume a job.
 */
import { imageTagProblem, imageUriProblem } from '../domain/imageOverride.ts';
import { type JobState, PAUSE_MODES } from '../domain/jobState.ts';
import { InvalidEventError } from '../errors.ts';
import {
  clientTokenField,
  environmentOverrides,
  isoTime,
  jobNameField,
  plainText,
  runIdField,
  singleLine,
} from './common.ts';
import * as v from './schema.ts';

const token = clientTokenField;
const who = singleLine(128).optional();

export const runOverrides = v.strictObject({
  environment: environmentOverrides.optional(),
  // Sizes are checked as a whole against ECS's overrides limit (lib/control.ts); these bounds only
  // keep absurd input from travelling further.
  command: v.array(plainText(65536)).min(1).max(1024).optional(),
  // Bounded by the largest Fargate size (16 vCPU, 120 GiB): the size rules (lib/domain/fargateSizes.ts)
  // then name the valid values; a number beyond them is refused here with the bound.
  cpu: v.number().int().positive('a positive number').max(16384, 'at most 16384 (16 vCPU)').optional(),
  memory: v.number().int().positive('a positive number').max(122880, 'at most 122880 MiB (120 GiB)').optional(),
  /** Another tag of the job's main image (`trigger --image-tag`): Docker's tag grammar. */
  imageTag: v.string().check(imageTagProblem).optional(),
  /** Another image (`trigger --image`, where the job's overrides allow it): an image reference. */
  image: v.string().check(imageUriProblem).optional(),
});

/**
 * `trigger --object s3://bucket/key`: the object as S3 knows it (the CLI asks S3, or the local bucket
 * folder): its identity is an upload's (bucket, key, then version id, else ETag). Bucket names are
 * 3-63 characters of lowercase letters, digits, `.` and `-`; keys at most 1,024 bytes (S3 user guide,
 * "Bucket naming rules", "Naming objects").
 */
export const triggerObject = v.strictObject({
  bucket: v.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
  key: v
    .string()
    .min(1)
    .refine((k) => new TextEncoder().encode(k).length <= 1024, 'must be at most 1,024 bytes'),
  versionId: v.string().min(1).max(1024).optional(),
  etag: v
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an ETag without quotes')
    .optional(),
  size: v.number().int().min(0).optional(),
});

export const controlRequest = v.discriminatedUnion('action', [
  v.strictObject({
    action: v.literal('trigger'),
    job: jobNameField,
    clientToken: token.optional(),
    overrides: runOverrides.optional(),
    object: triggerObject.optional(),
    /** With `object`: a new run even when that object already has one (a retry of it). */
    force: v.boolean().optional(),
    requestedBy: who,
  }),
  v.strictObject({
    action: v.literal('retry'),
    runId: runIdField,
    clientToken: token.optional(),
    /** Changes for the new run, over the retried run's own overrides (the job's policy applies). */
    overrides: runOverrides.optional(),
    /** A fan-out parent: run again only the items of its children that did not succeed. */
    failed: v.boolean().optional(),
    requestedBy: who,
  }),
  v.strictObject({
    action: v.literal('cancel'),
    runId: runIdField,
    reason: plainText(255).optional(),
    requestedBy: who,
  }),
  /** `backfill JOB --from T --to T`: the window's schedule ticks as runs (lib/backfill.ts). */
  v.strictObject({
    action: v.literal('backfill'),
    job: jobNameField,
    from: isoTime,
    to: isoTime,
    dryRun: v.boolean().optional(),
    requestedBy: who,
  }),
  /** `jobs pause JOB [--skip]`: its runs held PAUSED (or, with skip, recorded SKIPPED), its schedules disabled. */
  v.strictObject({
    action: v.literal('pause'),
    job: jobNameField,
    mode: v.oneOf(PAUSE_MODES).default('hold'),
    requestedBy: who,
  }),
  /** `jobs resume JOB`: its PAUSED runs released oldest first, its schedules enabled. */
  v.strictObject({
    action: v.literal('resume'),
    job: jobNameField,
    requestedBy: who,
  }),
]);
export type ControlRequest = v.Output<typeof controlRequest>;
/** What a client sends (environment overrides as `{ NAME: value }` or `[{ name, value }]`). */
export type ControlRequestInput = v.Input<typeof controlRequest>;

export type ControlResponse =
  | {
      ok: true;
      action: Exclude<ControlRequest['action'], 'backfill' | 'pause' | 'resume'>;
      runId: string;
      status: string;
      created: boolean;
      /** The job is paused: the run waits PAUSED (hold) or is skipped (skip) until it resumes. */
      paused?: JobState['mode'];
    }
  | { ok: false; error: { code: string; message: string } };

/** One schedule of the job, as a pause or resume left it. */
export interface ScheduleChangeResult {
  schedule: string;
  /** `changed`; `unchanged` (it was so already); `missing` (Scheduler has no such schedule: not deployed?). */
  result: 'changed' | 'unchanged' | 'missing';
}

/** What `jobs pause` / `jobs resume` did. */
export type PauseResponse =
  | {
      ok: true;
      action: 'pause' | 'resume';
      job: string;
      /** False for a repeated command: nothing changed, the steps were checked again. */
      changed: boolean;
      state: JobState;
      schedules: ScheduleChangeResult[];
      /** resume: the runs released, oldest first, and whether more wait for the next resume. */
      released?: string[];
      more?: boolean;
    }
  | { ok: false; error: { code: string; message: string } };

/** One tick of a backfill's window: its run id and (unless a dry run) its run. */
export interface BackfilledTick {
  scheduledTime: string;
  triggerIndex: number;
  expression: string;
  runId: string;
  /** The run's status: as found (dry run, or a tick that had a run), or as created. */
  status?: string;
  /** True when this backfill created the run; false when the tick had one; absent in a dry run. */
  created?: boolean;
}

/** What a backfill did (or, in a dry run, would do), tick by tick. */
export interface BackfillResult {
  action: 'backfill';
  job: string;
  from: string;
  to: string;
  dryRun: boolean;
  ticks: BackfilledTick[];
}

/** A backfill's answer. */
export type BackfillResponse =
  | ({ ok: true } & BackfillResult)
  | { ok: false; error: { code: string; message: string } };

export const parseControlRequest = (event: unknown): ControlRequest => {
  const parsed = controlRequest.safeParse(event);
  if (!parsed.success) throw new InvalidEventError('control request', v.problemSentences(parsed.error));
  return parsed.data;
};
