/**
 * Turns zod issues into sentences that name the field and say what is allowed, for the catalog and
 * for incoming events alike ("detail.object.key: is required (string)").
 */
import type * as z from 'zod';

export const listOr = (values: readonly (string | number)[]): string =>
  values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;

/** What a value is, in the words of a message (NaN and the infinities are numbers to typeof, not to a reader). */
export const typeOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'number' && !Number.isFinite(v)
        ? String(v)
        : typeof v;

const isRootTypeIssue = (b: z.core.$ZodIssue[]): boolean =>
  b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0;

export const describeIssue = (issue: z.core.$ZodIssue): { path: readonly PropertyKey[]; message: string } => {
  switch (issue.code) {
    case 'invalid_type':
      return {
        path: issue.path,
        message:
          issue.input === undefined
            ? `is required (${issue.expected})`
            : `expected ${issue.expected}, got ${typeOf(issue.input)}`,
      };
    case 'unrecognized_keys':
      return {
        path: issue.path,
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`,
      };
    case 'invalid_value':
      return { path: issue.path, message: `must be ${listOr(issue.values.map((v) => JSON.stringify(v)))}` };
    case 'invalid_union': {
      const { options, discriminator } = issue as { options?: unknown[]; discriminator?: string };
      if (discriminator && options)
        return { path: issue.path, message: `must be ${listOr(options.map((o) => JSON.stringify(o)))}` };
      // Every branch failed on the value's own type: say which types are allowed. Otherwise explain
      // the branch that came closest (fewest issues).
      const branches = issue.errors;
      if (branches.length > 0 && branches.every(isRootTypeIssue)) {
        const expected = [...new Set(branches.map((b) => (b[0] as z.core.$ZodIssueInvalidType).expected))];
        const input = branches[0]?.[0]?.input;
        return {
          path: issue.path,
          message:
            input === undefined
              ? `is required (${listOr(expected)})`
              : `expected ${listOr(expected)}, got ${typeOf(input)}`,
        };
      }
      const closest = branches.filter((b) => !isRootTypeIssue(b)).sort((a, b) => a.length - b.length)[0]?.[0];
      if (!closest) return { path: issue.path, message: 'does not match any allowed form' };
      const inner = describeIssue(closest);
      return { path: [...issue.path, ...inner.path], message: inner.message };
    }
    default:
      return { path: issue.path, message: issue.message };
  }
};

export const formatPath = (path: readonly PropertyKey[]): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');

/** One sentence per issue: "<owner>: <field>: <what is wrong>" (owner omitted when empty). */
export const issueSentences = (error: z.ZodError, owner = '', prefix: readonly PropertyKey[] = []): string[] =>
  error.issues.map((issue) => {
    const { path, message } = describeIssue(issue);
    const field = formatPath([...prefix, ...path]);
    return `${owner ? `${owner}: ` : ''}${field ? `${field}: ` : ''}${message}`;
  });
