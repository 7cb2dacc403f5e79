/**
 * Every error longshore throws on purpose. One base, `AppError`, with a stable `code` that logs,
 * the CLI's exit codes and the dead-letter context can rely on; causes are chained with `{ cause }`.
 */

export abstract class AppError extends Error {
  abstract readonly code: string;
  /** Retrying the same input may succeed (throttling, capacity); false for bad input or config. */
  readonly retryable: boolean = false;
}

/** The job catalog is invalid; `problems` lists every one, each naming the job and field. */
export class CatalogError extends AppError {
  override readonly name = 'CatalogError';
  readonly code = 'CATALOG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(
      `The job catalog has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** An incoming event or request does not have the shape we accept. */
export class InvalidEventError extends AppError {
  override readonly name = 'InvalidEventError';
  readonly code = 'EVENT_INVALID';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${source}: ${problems.join('; ')}`);
  }
}

/** A request names a job the catalog does not have, or one it does not allow this way. */
export class UnknownJobError extends AppError {
  override readonly name = 'UnknownJobError';
  readonly code = 'JOB_UNKNOWN';
  constructor(
    readonly job: string,
    known: readonly string[],
  ) {
    super(`Unknown job '${job}'; the catalog has ${known.length ? known.map((j) => `'${j}'`).join(', ') : 'no jobs'}`);
  }
}

/** A request is well-formed but not allowed (manual trigger on a job without one, bad override). */
export class RequestRejectedError extends AppError {
  override readonly name = 'RequestRejectedError';
  readonly code = 'REQUEST_REJECTED';
}

/** A run id that does not exist. */
export class RunNotFoundError extends AppError {
  override readonly name = 'RunNotFoundError';
  readonly code = 'RUN_NOT_FOUND';
  constructor(readonly runId: string) {
    super(`Run '${runId}' does not exist`);
  }
}

/** RunTask container/task overrides above ECS's 8,192-character limit (JSON included). */
export class OverridesTooLargeError extends AppError {
  override readonly name = 'OverridesTooLargeError';
  readonly code = 'OVERRIDES_TOO_LARGE';
  constructor(
    readonly size: number,
    readonly limit: number,
    /** The size is the largest a later attempt would send (a longer attempt number, a bigger size). */
    readonly onRetry = false,
  ) {
    super(
      `RunTask overrides ${onRetry ? 'would reach' : 'are'} ${size} characters${onRetry ? ' on a retry' : ''}; ECS allows ${limit}, JSON included. Pass large inputs by S3 reference, not in environment variables or the command.`,
    );
  }
}

/**
 * RunTask did not start the task: either the call threw, or it "succeeded" with only `failures[]`.
 * `retryable` is true for throttling and capacity, which are back-pressure, not failure.
 */
/**
 * StopTask on a task ECS no longer knows (stopped over an hour ago, or lost with its host): ECS
 * answers InvalidParameterException "The referenced task was not found." Nothing is running, so a
 * caller that wanted it stopped has what it wanted; the run itself is closed by the sweeper's
 * reconcile, which finds the task MISSING.
 */
export class TaskGoneError extends AppError {
  override readonly name = 'TaskGoneError';
  readonly code = 'TASK_GONE';
  constructor(
    readonly taskArn: string,
    opts: { cause?: unknown } = {},
  ) {
    super(`ECS no longer knows task ${taskArn}`, opts.cause === undefined ? undefined : { cause: opts.cause });
  }
}

export class LaunchError extends AppError {
  override readonly name = 'LaunchError';
  readonly code = 'LAUNCH_FAILED';
  override readonly retryable: boolean;
  constructor(
    readonly reason: string,
    readonly kind: 'throttled' | 'capacity' | 'config',
    opts: { cause?: unknown } = {},
  ) {
    super(`RunTask failed: ${reason}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.retryable = kind !== 'config';
  }
}

/** The launch queue refused messages even after a second try (SQS SendMessageBatch `Failed`). */
export class EnqueueError extends AppError {
  override readonly name = 'EnqueueError';
  readonly code = 'ENQUEUE_FAILED';
  override readonly retryable = true;
}

/** EventBridge PutEvents reported failed entries. */
export class EventPublishError extends AppError {
  override readonly name = 'EventPublishError';
  readonly code = 'EVENT_PUBLISH_FAILED';
  override readonly retryable = true;
  constructor(readonly failed: readonly { detailType: string; errorCode?: string; errorMessage?: string }[]) {
    super(
      `PutEvents failed for ${failed.length} entr${failed.length === 1 ? 'y' : 'ies'}: ${failed.map((f) => `${f.detailType} (${f.errorCode ?? 'unknown'}${f.errorMessage ? `: ${f.errorMessage}` : ''})`).join(', ')}`,
    );
  }
}

/**
 * A bucket setting longshore needs could not be read or changed: `reason` says why (access denied,
 * no such bucket, another Region, anything else), the message names the bucket and what to do.
 */
export class BucketSettingError extends AppError {
  override readonly name = 'BucketSettingError';
  readonly code = 'BUCKET_SETTING_FAILED';
  constructor(
    readonly bucket: string,
    readonly reason: 'access-denied' | 'no-such-bucket' | 'wrong-region' | 'other',
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
  }
}

/** An environment variable the function needs is missing or malformed. */
export class ConfigError extends AppError {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
}

/** What a fault is counted as (the `Faults` metric): longshore's error code, else the error's name (an AWS error's code). */
export const faultKind = (e: unknown): string =>
  e instanceof AppError
    ? e.code
    : e instanceof Error && /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/.test(e.name)
      ? e.name
      : 'Error';

/** Narrows an unknown thrown value to an Error. */
export const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * An AWS call a read-only check needed failed for a reason other than the absence it asked about
 * (access denied, throttling, a network error): the check could not decide.
 */
export class AwsCheckError extends AppError {
  override readonly name = 'AwsCheckError';
  readonly code = 'AWS_CHECK_FAILED';
  constructor(
    readonly operation: string,
    readonly awsCode: string,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(`${operation} failed: ${awsCode}: ${message}`, opts.cause === undefined ? undefined : { cause: opts.cause });
  }
}

/** Runs one AWS call for a check: an error that is not an expected absence becomes AwsCheckError. */
export const awsCheck = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (e) {
    if (e instanceof AppError) throw e;
    const err = asError(e);
    throw new AwsCheckError(operation, err.name, err.message, { cause: e });
  }
};
