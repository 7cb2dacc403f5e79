/**
 * The rules for what reaches a task as environment or command: one home for the variable-name rule,
 * the names longshore reserves, and the characters no value may hold. The catalog, the control
 * request, the CLI and the launcher all check against these, so a name is valid everywhere or
 * nowhere.
 */

/** POSIX-style names: what shells and most runtimes can read back. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ENV_NAME_RULE = 'letters, digits and _, not starting with a digit';
/** No documented ECS maximum; 255 keeps names readable and well inside the 8,192-character overrides. */
export const ENV_NAME_MAX = 255;

/** Variables longshore sets on every task from its trigger; nobody else may set them. */
export const RESERVED_ENV = /^(LONGSHORE_|S3_BUCKET$|S3_KEY$|S3_VERSION_ID$|S3_ETAG$|S3_SIZE$|SCHEDULED_TIME$|AWS_)/;
export const RESERVED_ENV_RULE = 'longshore sets LONGSHORE_*, S3_*, SCHEDULED_TIME and AWS_* itself';

/**
 * C0 control characters and DEL, except tab, line feed and carriage return (which multi-line values
 * legitimately hold). A NUL cannot pass through execve at all; the others corrupt logs and terminals.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
export const CONTROL_CHARS_RULE = 'no control characters (tab, line feed and carriage return are allowed)';

export const hasControlChars = (s: string): boolean => CONTROL_CHARS.test(s);

/** The first control character of `s` as `U+XXXX`, for a message that must not quote the value. */
export const firstControlChar = (s: string): string | undefined => {
  const m = CONTROL_CHARS.exec(s);
  return m ? `U+${(m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
};

/** What is wrong with a variable name a person chose, or undefined when it is fine. */
export const envNameProblem = (name: string): string | undefined => {
  if (name.length === 0) return 'a variable name is empty';
  if (name.length > ENV_NAME_MAX) return `is ${name.length} characters; at most ${ENV_NAME_MAX}`;
  if (!ENV_NAME_PATTERN.test(name)) return `is not a valid variable name (${ENV_NAME_RULE})`;
  if (RESERVED_ENV.test(name)) return `is reserved: ${RESERVED_ENV_RULE}`;
  return undefined;
};

export interface EnvPair {
  name: string;
  value: string;
}
