/**
 * Field rules shared by every edge schema: times, identifiers and free text that reach DynamoDB,
 * ECS or a person. Each one bounds length and shape, so a bad value fails here with a sentence that
 * names the field, never later as a NaN, a marshaller error or an AWS ValidationException.
 */
import { JOB_NAME_PATTERN, MAX_JOB_NAME_LENGTH } from '../domain/names.ts';
import { RUN_ID_PATTERN } from '../domain/runId.ts';
import { CONTROL_CHARS_RULE, type EnvPair, envNameProblem, hasControlChars } from '../domain/taskEnvironment.ts';
import * as v from './schema.ts';

/**
 * ISO 8601 date-time with a zone (`2026-11-22T09:00:00Z`, `...+01:00`, fractions allowed), as AWS
 * sends them. `Date.parse` alone takes `"1"` as the year 2001.
 */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
export const isIsoTime = (s: string): boolean => ISO_8601.test(s) && !Number.isNaN(Date.parse(s));
export const isoTime = v.string().refine(isIsoTime, 'must be an ISO 8601 time with a zone, like 2026-11-22T09:00:00Z');

/** A run id as longshore derives it: `<job>-<20 base32 characters>`. */
export const RUN_ID_MAX = MAX_JOB_NAME_LENGTH + 21;
export const runIdField = v
  .string()
  .max(RUN_ID_MAX, `at most ${RUN_ID_MAX} characters`)
  .regex(RUN_ID_PATTERN, 'not a longshore run id (<job>-<20 letters a-z and digits 2-7>)');

export const jobNameField = v
  .string()
  .max(MAX_JOB_NAME_LENGTH, `at most ${MAX_JOB_NAME_LENGTH} characters`)
  .regex(JOB_NAME_PATTERN, 'not a job name (lowercase letters, digits and -)');

/** Client tokens: what RunTask and our run ids can carry. */
export const clientTokenField = v.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, '1-64 letters, digits, . _ : -');

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const ANY_CONTROL_CHAR = /[\u0000-\u001F\u007F]/;
/**
 * One line of text naming someone or something (who requested a run): bounded, and no control
 * character at all, line feeds included: a newline in a name would forge a line in an alert or
 * in `runs show`.
 */
export const singleLine = (max: number) =>
  v
    .string()
    .max(max, `at most ${max} characters`)
    .refine((s) => !ANY_CONTROL_CHAR.test(s), 'one line: no control characters (no tab, line feed or carriage return)');

/** Text that ends up in a task, a log line or an alert: bounded, no control characters. */
export const plainText = (max: number) =>
  v
    .string()
    .max(max, `at most ${max} characters`)
    .refine((s) => !hasControlChars(s), CONTROL_CHARS_RULE);

/**
 * Environment overrides as `{ NAME: value }` or `[{ name, value }]`, read into pairs without ever
 * using a name as an object key: `constructor`, `__proto__` and `toString` are ordinary names here
 * (an object literal would drop or misread them). Names must be valid and not reserved; values are
 * plain text. Sizes are checked as a whole, against ECS's overrides limit, by the use case.
 */
export const environmentOverrides = v.custom((input, fail): EnvPair[] => {
  let pairs: [string, unknown][] = [];
  if (Array.isArray(input)) {
    input.forEach((p, i) => {
      if (typeof p === 'object' && p !== null && typeof (p as EnvPair).name === 'string')
        pairs.push([(p as EnvPair).name, (p as EnvPair).value]);
      else fail('expected { name, value }', [i]);
    });
  } else if (typeof input === 'object' && input !== null) {
    // Own keys only: JSON.parse makes "__proto__" an own key, and Object.keys reads it back as one.
    pairs = Object.keys(input).map((k) => [k, (input as Record<string, unknown>)[k]]);
  } else {
    fail('expected an object of NAME: value, or a list of { name, value }');
    return [];
  }
  const seen = new Set<string>();
  const out: EnvPair[] = [];
  for (const [name, value] of pairs) {
    const problem = envNameProblem(name);
    if (problem) fail(problem, [name]);
    else if (seen.has(name)) fail('is given twice', [name]);
    else if (typeof value !== 'string') fail('expected a string value', [name]);
    else if (hasControlChars(value)) fail(CONTROL_CHARS_RULE, [name]);
    else {
      seen.add(name);
      out.push({ name, value });
    }
  }
  return out;
});
