/**
 * EventBridge's event-pattern matching, for tests: the operators our rules use (exact values,
 * `prefix`, `suffix`, `wildcard`, `anything-but`, `exists`, `equals-ignore-case`, `numeric`) and
 * the syntax rules a pattern must follow, as AWS documents them:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html.
 *
 * - Every leaf of a pattern is a list; a field matches when its value matches any list element.
 * - Fields of a pattern are ANDed; a field absent from the pattern is not looked at.
 * - An event value that is a list matches when any of its elements matches.
 * - A missing field matches only `{"exists": false}` (so `anything-but` needs the field present).
 * - `*` in a wildcard matches zero or more characters; `\*` and `\\` are a literal `*` and `\`.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type Obj = { [key: string]: JsonValue };

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const OPERATORS = new Set(['prefix', 'suffix', 'wildcard', 'anything-but', 'exists', 'equals-ignore-case', 'numeric']);

/** Problems with a pattern's syntax; [] when EventBridge would accept it. */
export const patternSyntaxProblems = (pattern: unknown, path = ''): string[] => {
  if (!isObject(pattern)) return [`${path || 'pattern'}: must be a JSON object`];
  if (path === '' && Object.keys(pattern).length === 0) return ['pattern: must not be empty'];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (Array.isArray(value)) {
      if (value.length === 0) problems.push(`${at}: an empty list matches nothing`);
      for (const element of value) problems.push(...matcherProblems(at, element));
    } else if (isObject(value)) problems.push(...patternSyntaxProblems(value, at));
    else problems.push(`${at}: a leaf must be a list of values or matchers, not ${JSON.stringify(value)}`);
  }
  return problems;
};

const stringOrIgnoreCase = (at: string, op: string, v: JsonValue): string[] =>
  typeof v === 'string' ||
  (isObject(v) && Object.keys(v).join() === 'equals-ignore-case' && typeof v['equals-ignore-case'] === 'string')
    ? []
    : [`${at}: ${op} takes a string (or {"equals-ignore-case": string})`];

const wildcardProblems = (at: string, w: JsonValue): string[] => {
  if (typeof w !== 'string') return [`${at}: wildcard takes a string`];
  // Consecutive wildcards are refused by EventBridge ("**" adds nothing and is rejected).
  const unescaped = w.replace(/\\[\\*]/g, '');
  if (unescaped.includes('**')) return [`${at}: wildcard '${w}' has consecutive *`];
  if (/\\(?![\\*])/.test(w)) return [`${at}: wildcard '${w}' escapes something other than * or \\`];
  return [];
};

const matcherProblems = (at: string, m: JsonValue): string[] => {
  if (!isObject(m)) return Array.isArray(m) ? [`${at}: nested lists are not allowed`] : [];
  const keys = Object.keys(m);
  if (keys.length !== 1 || !OPERATORS.has(keys[0] as string))
    return [`${at}: ${JSON.stringify(m)} is not a matcher (one of ${[...OPERATORS].join(', ')})`];
  const op = keys[0] as string;
  const v = m[op] as JsonValue;
  switch (op) {
    case 'prefix':
    case 'suffix':
      return stringOrIgnoreCase(at, op, v);
    case 'equals-ignore-case':
      return typeof v === 'string' ? [] : [`${at}: equals-ignore-case takes a string`];
    case 'wildcard':
      return wildcardProblems(at, v);
    case 'exists':
      return typeof v === 'boolean' ? [] : [`${at}: exists takes true or false`];
    case 'numeric':
      return Array.isArray(v) && v.length % 2 === 0 && v.length > 0 ? [] : [`${at}: numeric takes [op, n, ...]`];
    default: {
      // anything-but: a value, a list of strings or of numbers, or one prefix/suffix/wildcard/equals-ignore-case.
      if (typeof v === 'string' || typeof v === 'number') return [];
      if (Array.isArray(v)) {
        const kinds = new Set(v.map((x) => typeof x));
        return v.length > 0 && kinds.size === 1 && (kinds.has('string') || kinds.has('number'))
          ? []
          : [`${at}: anything-but takes a list of only strings or only numbers`];
      }
      if (isObject(v) && Object.keys(v).length === 1) {
        const [inner] = Object.keys(v) as [string];
        if (inner === 'wildcard') return wildcardProblems(at, v[inner] as JsonValue);
        if (['prefix', 'suffix', 'equals-ignore-case'].includes(inner))
          return typeof v[inner] === 'string' ? [] : [`${at}: anything-but ${inner} takes a string`];
      }
      return [`${at}: ${JSON.stringify(v)} is not an anything-but value`];
    }
  }
};

/** A wildcard as a regular expression (`*` is any run of characters; `\*`, `\\` are literals). */
const wildcardRegex = (w: string): RegExp => {
  let re = '';
  for (let i = 0; i < w.length; i++) {
    const c = w[i] as string;
    if (c === '\\' && (w[i + 1] === '*' || w[i + 1] === '\\')) {
      re += `\\${w[i + 1]}`;
      i++;
    } else if (c === '*') re += '[\\s\\S]*';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
};

const textOf = (v: JsonValue): { text: string; ignoreCase: boolean } =>
  typeof v === 'string'
    ? { text: v, ignoreCase: false }
    : { text: String((v as Obj)['equals-ignore-case']), ignoreCase: true };

const numericMatches = (spec: JsonValue[], value: JsonValue): boolean => {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < spec.length; i += 2) {
    const op = spec[i];
    const n = spec[i + 1] as number;
    const ok =
      op === '='
        ? value === n
        : op === '<'
          ? value < n
          : op === '<='
            ? value <= n
            : op === '>'
              ? value > n
              : value >= n;
    if (!ok) return false;
  }
  return true;
};

/** One matcher against one present scalar value. */
const matchesValue = (m: JsonValue, value: JsonValue): boolean => {
  if (!isObject(m)) return m === value;
  const [op] = Object.keys(m) as [string];
  const v = m[op] as JsonValue;
  switch (op) {
    case 'prefix':
    case 'suffix': {
      if (typeof value !== 'string') return false;
      const { text, ignoreCase } = textOf(v);
      const [a, b] = ignoreCase ? [value.toLowerCase(), text.toLowerCase()] : [value, text];
      return op === 'prefix' ? a.startsWith(b) : a.endsWith(b);
    }
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(v).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardRegex(String(v)).test(value);
    case 'numeric':
      return numericMatches(v as JsonValue[], value);
    case 'exists':
      return v === true;
    default: {
      if (Array.isArray(v)) return !v.includes(value);
      if (isObject(v)) {
        const [inner] = Object.keys(v) as [string];
        return typeof value === 'string' && !matchesValue({ [inner]: v[inner] as JsonValue }, value);
      }
      return value !== v;
    }
  }
};

/** A leaf's matchers against the event's value at that path (absent: undefined). */
const leafMatches = (matchers: JsonValue[], value: JsonValue | undefined): boolean => {
  // A leaf that is an object (not a scalar) counts as absent for exists (the docs' c-count example).
  const scalarAbsent = value === undefined || isObject(value);
  return matchers.some((m) => {
    if (isObject(m) && 'exists' in m) return m.exists === !scalarAbsent;
    if (value === undefined || isObject(value)) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((x) => matchesValue(m, x));
  });
};

/** Whether EventBridge would deliver `event` to a rule with this pattern. */
export const matchesPattern = (pattern: Obj, event: JsonValue | undefined): boolean => {
  for (const [key, p] of Object.entries(pattern)) {
    const value = isObject(event) ? event[key] : undefined;
    if (Array.isArray(p)) {
      if (!leafMatches(p, value)) return false;
    } else if (isObject(p)) {
      // A nested pattern against an absent field still allows exists:false leaves to match.
      if (!matchesPattern(p, isObject(value) ? value : undefined)) return false;
    }
  }
  return true;
};
