import { describe, expect, it } from 'vitest';
import * as v from '../../../../lib/contracts/schema.ts';

const messages = (s: v.Schema<unknown, never>, input: unknown) =>
  v.problemSentences(s.safeParse(input).error ?? { issues: [] });

describe('Module: contracts/schema', () => {
  it.each([
    [v.string(), undefined, ['is required (string)']],
    [v.string(), 3, ['expected string, got number']],
    [v.number(), Number.NaN, ['expected number, got NaN']],
    [v.number(), Number.POSITIVE_INFINITY, ['expected number, got Infinity']],
    [v.number().int(), 1.5, ['expected int, got number']],
    [
      v.number().int().max(9),
      1e300,
      ['Too big: expected int to be <=9007199254740991', 'Too big: expected number to be <=9'],
    ],
    [v.string().min(1), '', ['Too small: expected string to have >=1 characters']],
    [v.string().max(2, 'at most 2 characters'), 'abc', ['at most 2 characters']],
    [v.string().startsWith('arn:'), 'x', ['Invalid string: must start with "arn:"']],
    [v.array(v.string()).min(1), [], ['Too small: expected array to have >=1 items']],
    [v.oneOf(['a', 'b', 'c']), 'd', ['must be "a", "b" or "c"']],
    [v.literal('aws.ecs'), undefined, ['must be "aws.ecs"']],
    [v.record(v.string()), [], ['expected record, got array']],
  ])('says what is wrong with %#', (schema, input, expected) => {
    // Act & Assess
    expect(messages(schema, input)).toEqual(expected);
  });

  it('names every wrong field of an object, with its path', () => {
    // Prepare
    const s = v.looseObject({ detail: v.looseObject({ key: v.string(), size: v.number().optional() }) });

    // Act & Assess
    expect(messages(s, { detail: { size: '1' } })).toEqual([
      'detail.key: is required (string)',
      'detail.size: expected number, got string',
    ]);
  });

  it('refuses unknown fields of a strict object and keeps those of a loose one', () => {
    // Prepare
    const strict = v.strictObject({ a: v.string() });
    const loose = v.looseObject({ a: v.string() });

    // Act & Assess
    expect(messages(strict, { a: 'x', b: 1, c: 2 })).toEqual(["unknown fields 'b', 'c'"]);
    expect(loose.parse({ a: 'x', b: 1 })).toEqual({ a: 'x', b: 1 });
  });

  it('reads a "__proto__" key of JSON as an own field, never as the prototype', () => {
    // Prepare
    const raw = JSON.parse('{"a":"x","__proto__":{"polluted":true}}');

    // Act
    const out = v.looseObject({ a: v.string() }).parse(raw) as Record<string, unknown>;

    // Assess
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(messages(v.strictObject({ a: v.string() }), raw)).toEqual(["unknown field '__proto__'"]);
  });

  it('treats a hole in a sparse array as a missing element', () => {
    // Prepare
    const sparse: unknown[] = [];
    sparse[1] = 'x';

    // Act & Assess
    expect(messages(v.array(v.string()), sparse)).toEqual(['[0]: is required (string)']);
  });

  it('fills a default only when the field is absent', () => {
    // Prepare
    const s = v.looseObject({ list: v.array(v.string()).default([]) });

    // Act & Assess
    expect(s.parse({})).toEqual({ list: [] });
    expect(messages(s, { list: {} })).toEqual(['list: expected array, got object']);
  });

  it('says which types a union allows, or explains the closest option', () => {
    // Prepare
    const s = v.union([v.string(), v.looseObject({ a: v.number(), b: v.number() })]);

    // Act & Assess
    expect(messages(s, 3)).toEqual(['expected string or object, got number']);
    expect(messages(s, { a: 1 })).toEqual(['b: is required (number)']);
  });

  it('chooses a discriminated option by its field and names the allowed values', () => {
    // Prepare
    const s = v.discriminatedUnion('kind', [
      v.strictObject({ kind: v.literal('a'), n: v.number() }),
      v.strictObject({ kind: v.oneOf(['b', 'c']) }),
    ]);

    // Act & Assess
    expect(s.parse({ kind: 'c' })).toEqual({ kind: 'c' });
    expect(messages(s, { kind: 'a' })).toEqual(['n: is required (number)']);
    expect(messages(s, { kind: 'x' })).toEqual(['kind: must be "a", "b" or "c"']);
    expect(messages(s, 'a')).toEqual(['expected object, got string']);
  });

  it('throws a ContractError naming every issue from parse', () => {
    // Act & Assess
    expect(() => v.strictObject({ a: v.string() }).parse({})).toThrow(
      expect.objectContaining({ name: 'ContractError', message: 'a: is required (string)' }),
    );
  });
});
