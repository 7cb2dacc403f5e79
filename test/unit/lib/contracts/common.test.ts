import { describe, expect, it } from 'vitest';
import { environmentOverrides, isIsoTime, runIdField } from '../../../../lib/contracts/common.ts';
import * as v from '../../../../lib/contracts/schema.ts';

describe('Function: isIsoTime', () => {
  it.each([
    ['2026-11-22T09:00:00Z', true],
    ['2026-11-22T09:00:00.123Z', true],
    ['2026-11-22T10:00:00+01:00', true],
    ['2026-11-22T09:00Z', true],
    ['1', false],
    ['2026-11-22', false],
    ['2026-11-22T09:00:00', false],
    ['2026-13-45T09:00:00Z', false],
    ['Sun, 22 Nov 2026 09:00:00 GMT', false],
  ])('says %j is %s', (text, ok) => {
    // Act & Assess
    expect(isIsoTime(text)).toBe(ok);
  });
});

describe('Function: environmentOverrides', () => {
  const parse = (input: unknown) => v.object({ environment: environmentOverrides }).safeParse({ environment: input });

  it('reads names that are JavaScript object keys as ordinary names, from JSON text and from pairs', () => {
    // Prepare: JSON.parse makes "__proto__" an own key, as a control request arrives.
    const fromJson = JSON.parse('{"constructor":"a","__proto__":"b","toString":"c","hasOwnProperty":"d"}');
    const fromPairs = [
      { name: 'constructor', value: 'a' },
      { name: '__proto__', value: 'b' },
      { name: 'toString', value: 'c' },
      { name: 'hasOwnProperty', value: 'd' },
    ];

    // Act
    const a = parse(fromJson);
    const b = parse(fromPairs);

    // Assess
    expect(a.success && a.data.environment).toEqual(fromPairs);
    expect(b.success && b.data.environment).toEqual(fromPairs);
  });

  it.each([
    [{ '1BAD': 'x' }, 'not a valid variable name (letters, digits and _, not starting with a digit)'],
    [{ 'A-B': 'x' }, 'not a valid variable name'],
    [{ S3_KEY: 'x' }, 'is reserved: longshore sets LONGSHORE_*, S3_*, SCHEDULED_TIME and AWS_* itself'],
    [{ AWS_REGION: 'x' }, 'is reserved'],
    [{ MODE: 'a\u0000b' }, 'no control characters'],
    [{ MODE: '\u001b[31mred' }, 'no control characters'],
    [{ MODE: 3 }, 'expected a string value'],
    [
      [
        { name: 'A', value: 'x' },
        { name: 'A', value: 'y' },
      ],
      'is given twice',
    ],
    [[{ value: 'x' }], 'expected { name, value }'],
    ['MODE=x', 'expected an object of NAME: value'],
  ])('refuses %j', (input, message) => {
    // Act
    const out = parse(input);

    // Assess
    expect(out.success).toBe(false);
    expect(out.error?.issues.map((i) => i.message).join('; ')).toContain(message);
  });

  it('keeps tabs and line breaks in values (multi-line configuration)', () => {
    // Act
    const out = parse({ PEM_LIKE: 'line 1\nline 2\r\n\tindented' });

    // Assess
    expect(out.success).toBe(true);
  });
});

describe('Field: runIdField', () => {
  it.each([
    ['x'.repeat(3000), 'at most 45 characters'],
    ['thumbnails-AAAAAAAAAAAAAAAAAAAA', 'not a longshore run id'],
    ['../../etc/passwd', 'not a longshore run id'],
  ])('refuses %j', (runId, message) => {
    // Act
    const out = runIdField.safeParse(runId);

    // Assess
    expect(out.error?.issues[0]?.message).toContain(message);
  });

  it('accepts a run id longshore derives', () => {
    // Act & Assess
    expect(runIdField.safeParse('thumbnails-abcdefghijklmnopqrst').success).toBe(true);
  });
});
