/**
 * Exit codes are part of the CLI's contract: scripts rely on them. One table (EXIT) and one mapping
 * from an error code (lib/errors.ts `AppError.code`, also what the control function answers with
 * `ok: false`) to an exit code.
 */

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** An unexpected failure (a bug, or the machine). */
  internal: 1,
  /** Bad input: arguments, catalog, event file. */
  invalid: 2,
  /** The run or job does not exist. */
  notFound: 3,
  /** The service refused the request (e.g. retrying an active run, a job without manual trigger). */
  rejected: 4,
  /** The backend could not be reached (no stack, no credentials, AWS error). */
  backend: 5,
  /** With --wait: the run ended without succeeding. */
  runFailed: 6,
} as const;

/** A refusal or failure the CLI reports itself, with the exit code it ends with. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The exit code for an error code: bad input 2, a run or job that does not exist 3, any other refusal 4. */
export const exitCodeFor = (code: string): number =>
  code === 'EVENT_INVALID' || code === 'CONFIG_INVALID' || code === 'CATALOG_INVALID'
    ? EXIT.invalid
    : code === 'RUN_NOT_FOUND' || code === 'JOB_UNKNOWN'
      ? EXIT.notFound
      : EXIT.rejected;
