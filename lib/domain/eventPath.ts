/**
 * The JSONPath subset event and sqs triggers read values with: `$` then any number of `.name`
 * (letters, digits, `_` and `-`, not starting with a digit) and `[n]` (a list index from 0). Nothing else:
 * no wildcards, filters, slices, recursive descent or quoted names, because a path must name one
 * value, and one that could name many would make the task's environment depend on the event's shape.
 * Checked at build time (`pathProblem`); read by `readPath`.
 *
 * @example readPath(parsePath('$.detail.items[0].sku'), event)
 */

export type PathStep = { key: string } | { index: number };

const STEP = /^(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[(0|[1-9][0-9]{0,5})\])/;
export const PATH_RULE = "$ then .name and [index] steps, e.g. '$.detail.orderId' or '$.detail.items[0]'";
const MAX_PATH_CHARS = 256;

/** The steps of a path, or undefined when it is not in the subset. */
export const parsePath = (path: string): PathStep[] | undefined => {
  if (!path.startsWith('$') || path.length > MAX_PATH_CHARS) return undefined;
  const steps: PathStep[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = STEP.exec(rest);
    if (!m) return undefined;
    steps.push(m[1] !== undefined ? { key: m[1] } : { index: Number(m[2]) });
    rest = rest.slice(m[0].length);
  }
  return steps;
};

/** What is wrong with a path a catalog declares, or undefined. */
export const pathProblem = (path: string): string | undefined => {
  if (path.length > MAX_PATH_CHARS) return `is ${path.length} characters; at most ${MAX_PATH_CHARS}`;
  const steps = parsePath(path);
  if (!steps) return `'${path}' is not a supported path: ${PATH_RULE} (no wildcards, filters or quoted names)`;
  if (steps.length === 0) return "'$' is the whole document; name a value in it, e.g. '$.id'";
  return undefined;
};

const MISSING = Symbol('missing');

/** The value at a path, or `MISSING` when a step does not exist (a key absent, an index past the end). */
export const readPath = (steps: readonly PathStep[], doc: unknown): unknown | typeof MISSING => {
  let at: unknown = doc;
  for (const step of steps) {
    if ('key' in step) {
      if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.hasOwn(at, step.key)) return MISSING;
      at = (at as Record<string, unknown>)[step.key];
    } else {
      if (!Array.isArray(at) || step.index >= at.length) return MISSING;
      at = at[step.index];
    }
  }
  return at;
};

export const isMissing = (v: unknown): v is typeof MISSING => v === MISSING;
