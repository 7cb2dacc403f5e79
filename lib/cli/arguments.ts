/**
 * The CLI's arguments, checked before any backend call: ids are bounded and pattern-checked (a
 * 3,000-character run id must not travel to DynamoDB to come back as a ValidationException), and
 * `--env` / `--command` are parsed strictly. Each refusal is a CliError (exit 2) naming the argument
 * and its rule.
 */

import type { ControlRequestInput } from '../contracts/control.ts';
import { parseDuration } from '../domain/duration.ts';
import { imageTagProblem, imageUriProblem } from '../domain/imageOverride.ts';
import { JOB_NAME_PATTERN, MAX_JOB_NAME_LENGTH } from '../domain/names.ts';
import { RUN_STATUSES, type RunStatus } from '../domain/run.ts';
import { RUN_ID_HASH_LENGTH, RUN_ID_PATTERN } from '../domain/runId.ts';
import { envNameProblem, firstControlChar } from '../domain/taskEnvironment.ts';
import { CliError, EXIT } from './exitCodes.ts';

/** `<job>-<20 base32 characters>` (lib/domain/runId.ts): 45 characters at most. */
export const MAX_RUN_ID_LENGTH = MAX_JOB_NAME_LENGTH + 1 + RUN_ID_HASH_LENGTH;
/** The control contract's client token: 1-64 of letters, digits, `.`, `_`, `:`, `-`. */
const TOKEN_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/** The control contract bounds a cancel reason to 255 characters (it becomes the StopTask reason). */
export const MAX_REASON_LENGTH = 255;

const invalid = (message: string): CliError => new CliError(message, EXIT.invalid);

/** A value as a message may quote it: short, and on one line. */
const quoted = (value: string): string => {
  const shown = JSON.stringify(value.length > 48 ? value.slice(0, 48) : value).slice(1, -1);
  return value.length > 48 ? `'${shown}...' (${value.length} characters)` : `'${shown}'`;
};

/** The shared rule (lib/domain/taskEnvironment.ts): the same characters the control contract refuses. */
const controlCharacterOf = firstControlChar;

/** A run id argument (`runs show RUN`, `--run RUN`). */
export const checkRunId = (argument: string, value: string): string => {
  if (value.length > MAX_RUN_ID_LENGTH || !RUN_ID_PATTERN.test(value))
    throw invalid(
      `${argument} ${quoted(value)} must be a run id: <job>-<20 characters a-z, 2-7>, at most ${MAX_RUN_ID_LENGTH} characters`,
    );
  return value;
};

/** A job name argument (`trigger JOB`, `--job JOB`). */
export const checkJobName = (argument: string, value: string): string => {
  if (value.length > MAX_JOB_NAME_LENGTH || !JOB_NAME_PATTERN.test(value))
    throw invalid(
      `${argument} ${quoted(value)} must be a job name: lowercase letters, digits and -, starting with a letter, at most ${MAX_JOB_NAME_LENGTH} characters`,
    );
  return value;
};

/** `--token`: the client token that makes a trigger or retry safe to repeat. */
export const checkToken = (value: string): string => {
  if (!TOKEN_PATTERN.test(value))
    throw invalid(`--token ${quoted(value)} must be 1-64 letters, digits, '.', '_', ':' or '-'`);
  return value;
};

/** `--reason`: recorded and sent to the task as the stop reason. */
export const checkReason = (value: string): string => {
  if (value.length > MAX_REASON_LENGTH)
    throw invalid(`--reason must be at most ${MAX_REASON_LENGTH} characters (it has ${value.length})`);
  const control = controlCharacterOf(value);
  if (control)
    throw invalid(
      `--reason has a control character (${control}); control characters other than tab and line breaks are not allowed`,
    );
  return value;
};

/** `--status`, any case. */
export const checkStatus = (value: string): RunStatus => {
  const status = value.toUpperCase();
  const known = RUN_STATUSES.find((s) => s === status);
  if (!known) throw invalid(`--status ${quoted(value)} must be one of ${RUN_STATUSES.join(', ')}`);
  return known;
};

/** `--cpu` / `--memory`: a positive integer. */
export const checkPositiveInteger = (argument: string, value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw invalid(`${argument} must be a positive integer (got ${quoted(value)})`);
  return n;
};

/**
 * `--env NAME=VALUE`, repeatable: a map without a prototype, so that a name like `__proto__` or
 * `constructor` is an ordinary entry (an object literal would drop `__proto__` silently).
 */
export const parseEnvOptions = (pairs: readonly string[]): Record<string, string> => {
  const environment: Record<string, string> = Object.create(null);
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i < 0) throw invalid(`--env ${quoted(pair)} is not NAME=VALUE`);
    const name = pair.slice(0, i);
    const value = pair.slice(i + 1);
    if (name === '') throw invalid(`--env ${quoted(pair)}: the name is empty`);
    const problem = envNameProblem(name);
    if (problem) throw invalid(`--env ${quoted(name)}: ${problem}`);
    if (Object.hasOwn(environment, name)) throw invalid(`--env ${name} is given twice`);
    const control = controlCharacterOf(value);
    if (control)
      throw invalid(
        `--env ${name}: the value has a control character (${control}); control characters other than tab and line breaks are not allowed`,
      );
    environment[name] = value;
  }
  return environment;
};

/** `--command JSON`: a non-empty JSON array of strings without control characters. */
export const parseCommandOption = (text: string): string[] => {
  const shape = `--command must be a JSON array of strings, e.g. '["python","-m","reporter"]'`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(shape);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === 'string'))
    throw invalid(shape);
  const command = parsed as string[];
  command.forEach((arg, i) => {
    const control = controlCharacterOf(arg);
    if (control)
      throw invalid(
        `--command: element ${i + 1} has a control character (${control}); control characters other than tab and line breaks are not allowed`,
      );
  });
  return command;
};

/** A date as ISO 8601 writes it: `2026-11-22`, `2026-11-22T09:00`, `2026-11-22T09:00:00Z`... */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `--since`: a duration with its unit (`2h`, `1d`, `90m`) or an ISO 8601 date. A bare number is
 * refused: `Date.parse('2')` is a date in 2001 to V8, and whether `2` meant hours or days is a guess.
 */
export const sinceOf = (text: string | undefined, now: () => number = Date.now): string | undefined => {
  if (text === undefined) return undefined;
  const refuse = () =>
    invalid(
      `--since '${text}' must be a duration with its unit (30m, 2h, 1d) or an ISO 8601 date (2026-11-22, 2026-11-22T09:00Z)`,
    );
  const seconds = /^\d/.test(text) && /[dhms]$/.test(text) ? parseDuration(text) : undefined;
  if (seconds !== undefined) return new Date(now() - seconds * 1000).toISOString();
  if (!ISO_DATE.test(text) || Number.isNaN(Date.parse(text))) throw refuse();
  return new Date(text).toISOString();
};

/** `--object s3://bucket/key`: the bucket (S3's naming rules) and the key (1-1,024 bytes). */
export const parseObjectOption = (value: string): { bucket: string; key: string } => {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(value);
  if (!m) throw invalid(`--object ${quoted(value)} must be s3://<bucket>/<key>`);
  const [, bucket, key] = m as unknown as [string, string, string];
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw invalid(`--object: bucket ${quoted(bucket)} must be 3-63 lowercase letters, digits, '.' or '-'`);
  if (new TextEncoder().encode(key).length > 1024) throw invalid('--object: the key must be at most 1,024 bytes');
  const control = controlCharacterOf(key);
  if (control) throw invalid(`--object: the key has a control character (${control})`);
  return { bucket, key };
};

export interface TriggerOptions {
  object?: string;
  force?: boolean;
  env?: string[];
  token?: string;
  cpu?: string;
  memory?: string;
  command?: string;
  imageTag?: string;
  image?: string;
}

/** `--image-tag TAG` / `--image URI`: one of them, each checked as the control function checks it. */
const parseImageOptions = (opts: Pick<TriggerOptions, 'imageTag' | 'image'>): { imageTag?: string; image?: string } => {
  if (opts.imageTag !== undefined && opts.image !== undefined)
    throw new CliError('give --image-tag or --image, not both', EXIT.invalid);
  if (opts.imageTag !== undefined) {
    const problem = imageTagProblem(opts.imageTag);
    if (problem) throw new CliError(`--image-tag '${opts.imageTag}' ${problem}`, EXIT.invalid);
    return { imageTag: opts.imageTag };
  }
  if (opts.image !== undefined) {
    const problem = imageUriProblem(opts.image);
    if (problem) throw new CliError(`--image '${opts.image}' ${problem}`, EXIT.invalid);
    return { image: opts.image };
  }
  return {};
};

/** `--env K=V... --cpu N --memory N --command JSON` (of `trigger` and `runs retry`) as run overrides, each checked. */
export const parseOverrideOptions = (
  opts: Pick<TriggerOptions, 'env' | 'cpu' | 'memory' | 'command' | 'imageTag' | 'image'>,
): NonNullable<Extract<ControlRequestInput, { action: 'trigger' }>['overrides']> => {
  const environment = parseEnvOptions(opts.env ?? []);
  const command = opts.command !== undefined ? parseCommandOption(opts.command) : undefined;
  return {
    ...(Object.keys(environment).length ? { environment } : {}),
    ...(command ? { command } : {}),
    ...(opts.cpu !== undefined ? { cpu: checkPositiveInteger('--cpu', opts.cpu) } : {}),
    ...(opts.memory !== undefined ? { memory: checkPositiveInteger('--memory', opts.memory) } : {}),
    ...parseImageOptions(opts),
  };
};

/**
 * `trigger JOB [--env ...] [--cpu N --memory N] [--command JSON] [--token T]` as the control request
 * it sends (without who asks): every argument checked first.
 */
export const parseTriggerOptions = (
  job: string,
  opts: TriggerOptions,
  newToken: () => string,
): Extract<ControlRequestInput, { action: 'trigger' }> => {
  checkJobName('job', job);
  if (opts.token !== undefined) checkToken(opts.token);
  const overrides = parseOverrideOptions(opts);
  return {
    action: 'trigger',
    job,
    clientToken: opts.token ?? newToken(),
    ...(Object.keys(overrides).length ? { overrides } : {}),
  };
};
