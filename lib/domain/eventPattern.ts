/**
 * EventBridge event patterns (issue 14, section 4): the syntax checked at build time, so a pattern
 * EventBridge would refuse fails `longshore plan` naming the path instead of failing the deploy, and
 * a pure matcher, so the local flow and `explain` say whether an event matches without AWS.
 *
 * The language, as the EventBridge user guide ("Content filtering in Amazon EventBridge event
 * patterns", "Comparison operators for use in event patterns") states it: a pattern is a JSON object;
 * a field is either a nested pattern or a non-empty list of alternatives; an alternative is a value
 * (string, number, boolean, null: exact match) or one operator object: `prefix`, `suffix` (a string
 * or `{ equals-ignore-case }`), `equals-ignore-case`, `wildcard` (`*` any run of characters, `\*`
 * and `\\` literal, no two `*` in a row), `anything-but` (a value, a list of strings or of numbers,
 * or `{ prefix | suffix | equals-ignore-case | wildcard }`), `numeric` (one or two comparisons, a
 * lower bound `>`/`>=` before an upper one `<`/`<=`, numbers within +/-5.0e9), `exists` (boolean),
 * `cidr` (an IPv4 or IPv6 block). `$or` is a list of patterns, any of which matches. A value in an
 * event that is a list matches when any of its elements does. The whole pattern is at most 2048
 * characters (the default quota; adjustable to 4096).
 */

export const MAX_PATTERN_CHARS = 2048;
const NUMERIC_LIMIT = 5e9;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const quoted = (s: string): string => JSON.stringify(s);

const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
] as const;

/** What is wrong with a wildcard string (`*` any characters, `\*` a star, `\\` a backslash). */
const wildcardProblem = (s: string): string | undefined => {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const next = s[i + 1];
      if (next !== '*' && next !== '\\') return 'a backslash must escape * or \\';
      i++;
    } else if (c === '*' && s[i + 1] === '*') return 'has two * in a row, which EventBridge refuses';
  }
  return undefined;
};

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6 = /^([0-9A-Fa-f:]+)\/(\d{1,3})$/;

/** A parsed CIDR block: the address as a bigint, its width in bits and the prefix length. */
const parseCidr = (s: string): { bits: bigint; width: number; prefix: number } | undefined => {
  const v4 = IPV4.exec(s);
  if (v4) {
    const parts = v4.slice(1, 5).map(Number);
    const prefix = Number(v4[5]);
    if (parts.some((p) => p > 255) || prefix > 32) return undefined;
    return { bits: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n), width: 32, prefix };
  }
  const v6 = IPV6.exec(s);
  if (!v6) return undefined;
  const bits = parseIpv6(v6[1] ?? '');
  const prefix = Number(v6[2]);
  return bits === undefined || prefix > 128 ? undefined : { bits, width: 128, prefix };
};

const parseIpv6 = (s: string): bigint | undefined => {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined) => (h ? h.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  if (all.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
  return all.reduce((a, g) => (a << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
};

const parseIp = (s: string): { bits: bigint; width: number } | undefined => {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { bits: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n), width: 32 };
  }
  const bits = s.includes(':') ? parseIpv6(s) : undefined;
  return bits === undefined ? undefined : { bits, width: 128 };
};

const stringOrIgnoreCase = (v: unknown): boolean =>
  typeof v === 'string' || (isObj(v) && Object.keys(v).length === 1 && typeof v['equals-ignore-case'] === 'string');

const numericProblem = (v: unknown): string | undefined => {
  if (!Array.isArray(v) || (v.length !== 2 && v.length !== 4))
    return 'must be [op, number] or [">" | ">=", number, "<" | "<=", number]';
  for (let i = 0; i < v.length; i += 2) {
    const op = v[i];
    const n = v[i + 1];
    if (!['<', '<=', '=', '>', '>='].includes(op as string)) return `${quoted(String(op))} is not <, <=, =, > or >=`;
    if (typeof n !== 'number' || !Number.isFinite(n)) return `${JSON.stringify(n)} after ${op} is not a number`;
    if (Math.abs(n) > NUMERIC_LIMIT) return `${n} is outside -5.0e9..5.0e9, the range EventBridge compares`;
  }
  if (v.length === 4) {
    if (!['>', '>='].includes(v[0]) || !['<', '<='].includes(v[2]))
      return 'a range is a lower bound (> or >=) then an upper bound (< or <=)';
    if ((v[1] as number) >= (v[3] as number)) return `the lower bound ${v[1]} is not below the upper bound ${v[3]}`;
  }
  return undefined;
};

const anythingButProblem = (v: unknown): string | undefined => {
  if (typeof v === 'string' || typeof v === 'number') return undefined;
  if (Array.isArray(v)) {
    if (v.length === 0) return 'is an empty list';
    if (!v.every((x) => typeof x === 'string') && !v.every((x) => typeof x === 'number'))
      return 'must list only strings or only numbers';
    return undefined;
  }
  if (!isObj(v) || Object.keys(v).length !== 1)
    return 'must be a value, a list of values, or one of { prefix | suffix | equals-ignore-case | wildcard }';
  const [op, arg] = Object.entries(v)[0] as [string, unknown];
  if (op === 'prefix' || op === 'suffix')
    return typeof arg === 'string' ? undefined : `${op} inside anything-but must be a string`;
  if (op === 'equals-ignore-case' || op === 'wildcard') {
    const list = Array.isArray(arg) ? arg : [arg];
    if (list.length === 0 || !list.every((x) => typeof x === 'string'))
      return `${op} inside anything-but must be a string or a list of strings`;
    if (op === 'wildcard') for (const s of list) if (wildcardProblem(s as string)) return wildcardProblem(s as string);
    return undefined;
  }
  return `${quoted(op)} is not allowed inside anything-but (prefix, suffix, equals-ignore-case, wildcard)`;
};

/** What is wrong with one operator object of a field's list, or undefined. */
const operatorProblem = (o: Obj): string | undefined => {
  const keys = Object.keys(o);
  if (keys.length !== 1) return `an operator object has exactly one key, not ${keys.length} (${keys.join(', ')})`;
  const op = keys[0] as string;
  const arg = o[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return stringOrIgnoreCase(arg) ? undefined : `${op} must be a string or { "equals-ignore-case": string }`;
    case 'equals-ignore-case':
      return typeof arg === 'string' ? undefined : 'equals-ignore-case must be a string';
    case 'wildcard':
      return typeof arg === 'string' ? wildcardProblem(arg) : 'wildcard must be a string';
    case 'anything-but':
      return anythingButProblem(arg);
    case 'numeric':
      return numericProblem(arg);
    case 'exists':
      return typeof arg === 'boolean' ? undefined : 'exists must be true or false';
    case 'cidr':
      return typeof arg === 'string' && parseCidr(arg)
        ? undefined
        : `cidr must be an IPv4 or IPv6 block such as "10.0.0.0/24", not ${JSON.stringify(arg)}`;
    default:
      return `${quoted(op)} is not an EventBridge operator (${OPERATORS.join(', ')})`;
  }
};

/** What is wrong with one alternative of a field's list (a value or an operator object), or undefined. */
const alternativeProblem = (alt: unknown): string | undefined => {
  if (alt === null || typeof alt === 'string' || typeof alt === 'boolean') return undefined;
  if (typeof alt === 'number') return Number.isFinite(alt) ? undefined : 'is not a finite number';
  return isObj(alt) ? operatorProblem(alt) : 'must be a value or an operator object, not a list';
};

const walk = (pattern: unknown, path: string, problems: string[]): void => {
  if (!isObj(pattern)) {
    problems.push(`${path}: must be an object of fields`);
    return;
  }
  if (Object.keys(pattern).length === 0) problems.push(`${path}: is empty; give at least one field to match`);
  for (const [field, rule] of Object.entries(pattern)) {
    const at = `${path}.${field}`;
    if (field === '$or') {
      if (!Array.isArray(rule) || rule.length < 2) {
        problems.push(`${at}: must be a list of at least two patterns`);
        continue;
      }
      rule.forEach((alt, i) => {
        walk(alt, `${at}[${i}]`, problems);
      });
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) problems.push(`${at}: is an empty list, which matches no event`);
      rule.forEach((alt, i) => {
        const problem = alternativeProblem(alt);
        if (problem) problems.push(`${at}[${i}]: ${problem}`);
      });
    } else if (isObj(rule)) walk(rule, at, problems);
    else
      problems.push(
        `${at}: must be a list of values (e.g. [${JSON.stringify(rule)}]) or a nested object, not ${JSON.stringify(rule)}`,
      );
  }
};

/**
 * Every syntax problem of a pattern, each naming its path from `root` (empty when EventBridge
 * would take it).
 *
 * @example patternProblems({ detail: { total: [{ numeric: ['>', 'x'] }] } }, 'pattern')
 *   // ['pattern.detail.total[0]: "x" after > is not a number']
 */
export const patternProblems = (pattern: unknown, root = 'pattern'): string[] => {
  const problems: string[] = [];
  walk(pattern, root, problems);
  const size = JSON.stringify(pattern ?? null).length;
  if (size > MAX_PATTERN_CHARS)
    problems.push(`${root}: is ${size} characters; EventBridge takes at most ${MAX_PATTERN_CHARS} (its default quota)`);
  return problems;
};

// --- matching ---------------------------------------------------------------------------------

const wildcardRegExp = (s: string, flags = ''): RegExp => {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\') out += (s[++i] ?? '').replace(/[\\*]/, (x) => `\\${x}`);
    else if (c === '*') out += '[\\s\\S]*';
    else out += c.replace(/[.*+?^${}()|[\]\\/]/g, (x) => `\\${x}`);
  }
  return new RegExp(`^${out}$`, flags);
};

const textOp = (arg: unknown, test: (value: string, wanted: string) => boolean, value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  if (typeof arg === 'string') return test(value, arg);
  const wanted = (arg as Obj)['equals-ignore-case'] as string;
  return test(value.toLowerCase(), wanted.toLowerCase());
};

const numericMatches = (spec: unknown[], value: number): boolean => {
  for (let i = 0; i < spec.length; i += 2) {
    const n = spec[i + 1] as number;
    const ok = { '<': value < n, '<=': value <= n, '=': value === n, '>': value > n, '>=': value >= n }[spec[i] as '<'];
    if (!ok) return false;
  }
  return true;
};

const anythingButMatches = (arg: unknown, value: unknown): boolean => {
  if (!isObj(arg)) {
    const excluded = Array.isArray(arg) ? arg : [arg];
    return (typeof value === 'string' || typeof value === 'number') && !excluded.includes(value);
  }
  if (typeof value !== 'string') return false;
  const [op, a] = Object.entries(arg)[0] as [string, unknown];
  const list = (Array.isArray(a) ? a : [a]) as string[];
  switch (op) {
    case 'prefix':
      return !value.startsWith(a as string);
    case 'suffix':
      return !value.endsWith(a as string);
    case 'equals-ignore-case':
      return !list.some((x) => x.toLowerCase() === value.toLowerCase());
    default:
      return !list.some((x) => wildcardRegExp(x).test(value));
  }
};

/** Whether one scalar of the event satisfies one alternative of the pattern's list. */
const alternativeMatches = (alt: unknown, value: unknown): boolean => {
  if (!isObj(alt)) return value === alt;
  const [op, arg] = Object.entries(alt)[0] as [string, unknown];
  switch (op) {
    case 'prefix':
      return textOp(arg, (v, w) => v.startsWith(w), value);
    case 'suffix':
      return textOp(arg, (v, w) => v.endsWith(w), value);
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(arg).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(arg as string).test(value);
    case 'anything-but':
      return anythingButMatches(arg, value);
    case 'numeric':
      return typeof value === 'number' && numericMatches(arg as unknown[], value);
    case 'cidr': {
      const block = parseCidr(arg as string);
      const ip = typeof value === 'string' ? parseIp(value) : undefined;
      if (!block || !ip || ip.width !== block.width) return false;
      const shift = BigInt(block.width - block.prefix);
      return ip.bits >> shift === block.bits >> shift;
    }
    default:
      return false;
  }
};

const fieldMatches = (rule: unknown[], present: boolean, value: unknown): boolean =>
  rule.some((alt) => {
    if (isObj(alt) && 'exists' in alt) return alt.exists === present && (!present || !isObj(value));
    if (!present) return false;
    // A list in the event matches when any element does (EventBridge's array semantics).
    return Array.isArray(value) ? value.some((v) => alternativeMatches(alt, v)) : alternativeMatches(alt, value);
  });

/**
 * Whether an event matches a pattern (one that `patternProblems` accepts).
 *
 * @example matchesEventPattern({ source: ['shop.orders'] }, { source: 'shop.orders' }) // true
 */
export const matchesEventPattern = (pattern: unknown, event: unknown): boolean => {
  if (!isObj(pattern)) return false;
  return Object.entries(pattern).every(([field, rule]) => {
    if (field === '$or') return (rule as unknown[]).some((alt) => matchesEventPattern(alt, event));
    const doc = isObj(event) ? event : undefined;
    const present = doc !== undefined && Object.hasOwn(doc, field);
    const value = doc?.[field];
    if (Array.isArray(rule)) return fieldMatches(rule, present, value);
    return matchesEventPattern(rule, value);
  });
};

export type EventPattern = { [field: string]: Json };
