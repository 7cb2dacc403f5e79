/**
 * The small schema language the edge contracts are written in (issue 12): zod's shapes and zod's
 * sentences ("detail.object.key: is required (string)", "unknown field 'x'", "must be "aws.ecs"",
 * "Too big: expected string to have <=2048 characters"), without zod in the Lambda bundles. zod
 * (classic) was about 100 KB and 10-27 ms of init in every bundle; zod/mini still 30 KB minified
 * and gives "Invalid input" unless its locale is loaded (docs/decisions.md, issue 12).
 *
 * Each schema reads a value at a path and pushes one issue per problem, already in words, so a
 * failed parse names every field that is wrong. Types come from the schemas (`Output<typeof s>`),
 * never from a hand-written interface plus a cast. The catalog keeps zod (it is validated at
 * package time, not in a bundle: lib/catalog/shippedCatalog.ts).
 *
 * @example
 * const tick = object({ job: string().max(24), trigger: number().int().min(0) });
 * tick.safeParse({ job: 'x' }).error?.issues // [{ path: ['trigger'], message: 'is required (number)' }]
 */
import { listOr, typeOf } from '../schemaIssues.ts';

/** One problem: where (the path into the input) and what, in words. */
export interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export type SafeParseResult<T> =
  | { success: true; data: T; error?: undefined }
  | { success: false; error: { issues: Issue[] }; data?: undefined };

/** An issue that says the value's own type is wrong (a union reports these together). */
interface TypeIssue extends Issue {
  readonly expected: string;
  readonly input: unknown;
}

type Reader<O> = (input: unknown, path: readonly PropertyKey[], issues: Issue[]) => O;

export interface Schema<Out, In = Out> {
  /** Reads `input` at `path`, pushing an issue per problem; the value is meaningless if it pushed any. */
  readonly read: Reader<Out>;
  /** Type only: what a sender may send (differs from `Out` where a schema transforms or defaults). */
  readonly __input?: (input: In) => void;
  safeParse(input: unknown): SafeParseResult<Out>;
  /** The value, or a thrown `ContractError` listing every issue. */
  parse(input: unknown): Out;
  optional(): Schema<Out | undefined, In | undefined>;
  nullish(): Schema<Out | null | undefined, In | null | undefined>;
  /** `value` when the input is absent. */
  default(value: Out): Schema<Out, In | undefined>;
}

export type Output<S> = S extends { readonly read: (...args: never[]) => infer O } ? O : never;
export type Input<S> = S extends { readonly __input?: (input: infer I) => void } ? I : never;

/** What `parse` throws; the contracts' parse functions turn the issues into an InvalidEventError instead. */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  constructor(readonly issues: readonly Issue[]) {
    super(problemSentences({ issues }).join('; '));
  }
}

/** "field: what is wrong", one sentence per issue (no field for an issue about the whole input). */
export const problemSentences = (error: { readonly issues: readonly Issue[] }): string[] =>
  error.issues.map((i) => {
    const field = i.path
      .map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`))
      .join('');
    return field ? `${field}: ${i.message}` : i.message;
  });

const typeIssue = (path: readonly PropertyKey[], expected: string, input: unknown): TypeIssue => ({
  path,
  expected,
  input,
  message: input === undefined ? `is required (${expected})` : `expected ${expected}, got ${typeOf(input)}`,
});

const isTypeIssue = (i: Issue): i is TypeIssue => 'expected' in i;

const schema = <O, I = O>(read: Reader<O>): Schema<O, I> => {
  const self: Schema<O, I> = {
    read,
    safeParse(input) {
      const issues: Issue[] = [];
      const data = read(input, [], issues);
      return issues.length > 0 ? { success: false, error: { issues } } : { success: true, data };
    },
    parse(input) {
      const out = self.safeParse(input);
      if (!out.success) throw new ContractError(out.error.issues);
      return out.data;
    },
    optional: () => schema<O | undefined, I | undefined>((v, p, i) => (v === undefined ? undefined : read(v, p, i))),
    nullish: () =>
      schema<O | null | undefined, I | null | undefined>((v, p, i) =>
        v === undefined || v === null ? v : read(v, p, i),
      ),
    default: (value) => schema<O, I | undefined>((v, p, i) => (v === undefined ? value : read(v, p, i))),
  };
  return self;
};

/** A check of a value already of the right type: undefined when it passes, else the message. */
type Check<T> = (value: T) => string | undefined;

export interface StringSchema extends Schema<string> {
  min(n: number, message?: string): StringSchema;
  max(n: number, message?: string): StringSchema;
  regex(pattern: RegExp, message: string): StringSchema;
  startsWith(prefix: string, message?: string): StringSchema;
  refine(ok: (s: string) => boolean, message: string): StringSchema;
  /** A check whose message depends on the value: the problem, or undefined when there is none. */
  check(problem: (s: string) => string | undefined): StringSchema;
}

const stringOf = (checks: readonly Check<string>[]): StringSchema => {
  const base = schema<string>((v, path, issues) => {
    if (typeof v !== 'string') {
      issues.push(typeIssue(path, 'string', v));
      return '';
    }
    for (const c of checks) {
      const message = c(v);
      if (message !== undefined) issues.push({ path, message });
    }
    return v;
  });
  const and = (c: Check<string>) => stringOf([...checks, c]);
  return {
    ...base,
    min: (n, m) =>
      and((s) => (s.length >= n ? undefined : (m ?? `Too small: expected string to have >=${n} characters`))),
    max: (n, m) =>
      and((s) => (s.length <= n ? undefined : (m ?? `Too big: expected string to have <=${n} characters`))),
    regex: (re, m) => and((s) => (re.test(s) ? undefined : m)),
    startsWith: (prefix, m) =>
      and((s) => (s.startsWith(prefix) ? undefined : (m ?? `Invalid string: must start with "${prefix}"`))),
    refine: (ok, m) => and((s) => (ok(s) ? undefined : m)),
    check: (problem) => and(problem),
  };
};

export const string = (): StringSchema => stringOf([]);

export interface NumberSchema extends Schema<number> {
  /** A whole number (a safe integer), as zod's `.int()`: a fraction is "expected int, got number". */
  int(): NumberSchema;
  min(n: number, message?: string): NumberSchema;
  max(n: number, message?: string): NumberSchema;
  positive(message?: string): NumberSchema;
}

const numberOf = (int: boolean, checks: readonly Check<number>[]): NumberSchema => {
  const base = schema<number>((v, path, issues) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      issues.push(typeIssue(path, 'number', v));
      return 0;
    }
    if (int && !Number.isInteger(v)) {
      issues.push(typeIssue(path, 'int', v));
      return 0;
    }
    if (int && !Number.isSafeInteger(v))
      issues.push({
        path,
        message:
          v > 0
            ? `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`
            : `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`,
      });
    for (const c of checks) {
      const message = c(v);
      if (message !== undefined) issues.push({ path, message });
    }
    return v;
  });
  const and = (c: Check<number>) => numberOf(int, [...checks, c]);
  return {
    ...base,
    int: () => numberOf(true, checks),
    min: (n, m) => and((x) => (x >= n ? undefined : (m ?? `Too small: expected number to be >=${n}`))),
    max: (n, m) => and((x) => (x <= n ? undefined : (m ?? `Too big: expected number to be <=${n}`))),
    positive: (m) => and((x) => (x > 0 ? undefined : (m ?? 'Too small: expected number to be >0'))),
  };
};

export const number = (): NumberSchema => numberOf(false, []);

export const boolean = (): Schema<boolean> =>
  schema((v, path, issues) => {
    if (typeof v !== 'boolean') issues.push(typeIssue(path, 'boolean', v));
    return v as boolean;
  });

export const unknown = (): Schema<unknown> => schema((v) => v);

type Primitive = string | number | boolean;

/** Exactly one of `values` ("must be "a", "b" or "c""). */
export const oneOf = <const T extends readonly Primitive[]>(values: T): Schema<T[number]> & { readonly values: T } => ({
  ...schema((v, path, issues) => {
    if (!values.includes(v as Primitive))
      issues.push({ path, message: `must be ${listOr(values.map((x) => JSON.stringify(x)))}` });
    return v as T[number];
  }),
  values,
});

export const literal = <const T extends Primitive>(value: T): Schema<T> & { readonly values: readonly [T] } =>
  oneOf([value] as const);

export interface ArraySchema<O, I> extends Schema<O[], I[]> {
  min(n: number): ArraySchema<O, I>;
  max(n: number): ArraySchema<O, I>;
}

const arrayOf = <O, I>(item: Schema<O, I>, min: number, max: number): ArraySchema<O, I> => ({
  ...schema<O[], I[]>((v, path, issues) => {
    if (!Array.isArray(v)) {
      issues.push(typeIssue(path, 'array', v));
      return [];
    }
    // By index, not map: a hole in a sparse array is a missing element, not one to skip.
    const out: O[] = [];
    for (let i = 0; i < v.length; i++) out.push(item.read(v[i], [...path, i], issues));
    if (v.length < min) issues.push({ path, message: `Too small: expected array to have >=${min} items` });
    if (v.length > max) issues.push({ path, message: `Too big: expected array to have <=${max} items` });
    return out;
  }),
  min: (n) => arrayOf(item, n, max),
  max: (n) => arrayOf(item, min, n),
});

export const array = <O, I>(item: Schema<O, I>): ArraySchema<O, I> => arrayOf(item, 0, Number.POSITIVE_INFINITY);

// biome-ignore lint/suspicious/noExplicitAny: schemas of any type, where each keeps its own (a shape's keys, a union's options).
type Any = any;
type Shape = Record<string, Schema<Any, Any>>;
type Flat<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<S extends Shape, Side extends 'out' | 'in'> = {
  [K in keyof S]: undefined extends (Side extends 'out' ? Output<S[K]> : Input<S[K]>) ? K : never;
}[keyof S];
type ShapeOut<S extends Shape> = Flat<
  { [K in Exclude<keyof S, OptionalKeys<S, 'out'>>]: Output<S[K]> } & { [K in OptionalKeys<S, 'out'>]?: Output<S[K]> }
>;
type ShapeIn<S extends Shape> = Flat<
  { [K in Exclude<keyof S, OptionalKeys<S, 'in'>>]: Input<S[K]> } & { [K in OptionalKeys<S, 'in'>]?: Input<S[K]> }
>;

export interface ObjectSchema<S extends Shape, O, I> extends Schema<O, I> {
  readonly shape: S;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `unknownKeys`: `keep` (AWS adds fields over time: they pass through), `refuse` (a request of ours:
 * a typo is an "unknown field"), `drop`.
 */
const objectOf = <S extends Shape, O, I>(shape: S, unknownKeys: 'keep' | 'refuse' | 'drop'): ObjectSchema<S, O, I> => ({
  ...schema<O, I>((v, path, issues) => {
    if (!isRecord(v)) {
      issues.push(typeIssue(path, 'object', v));
      return {} as O;
    }
    // Own keys only, read without ever using a key as a lookup on the prototype: JSON.parse makes
    // "__proto__" an own key, and the spread copies it as one.
    const out: Record<string, unknown> = unknownKeys === 'keep' ? { ...v } : {};
    for (const key of Object.keys(shape)) {
      const value = Object.hasOwn(v, key) ? v[key] : undefined;
      const read = (shape[key] as Schema<unknown>).read(value, [...path, key], issues);
      if (read !== undefined || Object.hasOwn(v, key)) out[key] = read;
    }
    if (unknownKeys === 'refuse') {
      const extra = Object.keys(v).filter((k) => !Object.hasOwn(shape, k));
      if (extra.length > 0)
        issues.push({
          path,
          message: `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')}`,
        });
    }
    return out as O;
  }),
  shape,
});

/** An object whose other fields pass through (events AWS may add fields to). */
export const looseObject = <S extends Shape>(shape: S) =>
  objectOf<S, ShapeOut<S> & { [k: string]: unknown }, ShapeIn<S> & { [k: string]: unknown }>(shape, 'keep');
/** An object that refuses fields it does not declare (our own requests and messages). */
export const strictObject = <S extends Shape>(shape: S) => objectOf<S, ShapeOut<S>, ShapeIn<S>>(shape, 'refuse');
/** An object whose other fields are dropped from the output. */
export const object = <S extends Shape>(shape: S) => objectOf<S, ShapeOut<S>, ShapeIn<S>>(shape, 'drop');

/** An object of any keys whose values all follow `value`. */
export const record = <O, I>(value: Schema<O, I>): Schema<Record<string, O>, Record<string, I>> =>
  schema((v, path, issues) => {
    if (!isRecord(v)) {
      issues.push(typeIssue(path, 'record', v));
      return {};
    }
    const out: Record<string, O> = {};
    for (const key of Object.keys(v))
      Object.defineProperty(out, key, {
        value: value.read(v[key], [...path, key], issues),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  });

type AnySchema = Schema<Any, Any>;

/**
 * The first option that reads without an issue. When none does: if every option failed on the value's
 * own type, which types are allowed; else the issues of the option that came closest (fewest issues).
 */
export const union = <const T extends readonly AnySchema[]>(options: T): Schema<Output<T[number]>, Input<T[number]>> =>
  schema((v, path, issues) => {
    const tried: Issue[][] = [];
    for (const option of options) {
      const own: Issue[] = [];
      const out = option.read(v, path, own);
      if (own.length === 0) return out;
      tried.push(own);
    }
    const onType = (b: Issue[]) =>
      b.length === 1 && isTypeIssue(b[0] as Issue) && (b[0] as Issue).path.length === path.length;
    if (tried.every(onType)) {
      const expected = [...new Set(tried.map((b) => (b[0] as TypeIssue).expected))].join(' or ');
      issues.push(typeIssue(path, expected, v));
      return undefined as Output<T[number]>;
    }
    const closest = tried.filter((b) => !onType(b)).sort((a, b) => a.length - b.length)[0];
    issues.push(...(closest ?? []).slice(0, 1));
    return undefined as Output<T[number]>;
  });

type Discriminated<K extends string> = ObjectSchema<
  Record<K, { readonly values: readonly Primitive[] }> & Shape,
  Any,
  Any
>;

/** One of `options`, chosen by the value of their field `key` (each option's is a literal or `oneOf`). */
export const discriminatedUnion = <K extends string, const T extends readonly Discriminated<K>[]>(
  key: K,
  options: T,
): Schema<Output<T[number]>, Input<T[number]>> =>
  schema((v, path, issues) => {
    if (!isRecord(v)) {
      issues.push(typeIssue(path, 'object', v));
      return undefined as Output<T[number]>;
    }
    const option = options.find((o) => o.shape[key].values.includes(v[key] as Primitive));
    if (!option) {
      const values = options.flatMap((o) => o.shape[key].values.map((x) => JSON.stringify(x)));
      issues.push({ path: [...path, key], message: `must be ${listOr(values)}` });
      return undefined as Output<T[number]>;
    }
    return option.read(v, path, issues) as Output<T[number]>;
  });

/**
 * A value read by hand: `read` returns the output, calling `fail(message, subpath)` for each problem
 * (the path is relative to this value).
 */
export const custom = <O, I = unknown>(
  read: (input: unknown, fail: (message: string, at?: readonly PropertyKey[]) => void) => O,
): Schema<O, I> =>
  schema((v, path, issues) => read(v, (message, at = []) => issues.push({ path: [...path, ...at], message })));
