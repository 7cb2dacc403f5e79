import { describe, expect, it } from 'vitest';
import {
  cronOccurrences,
  isValidTimeZone,
  parseScheduleExpression,
  wallClock,
} from '../../../../lib/domain/scheduleExpression.ts';

const cronOf = (text: string) => {
  const parsed = parseScheduleExpression(text);
  if (parsed.kind !== 'cron') throw new Error('not cron');
  return parsed.cron;
};

const iso = (dates: Date[]): string[] => dates.map((d) => d.toISOString());

describe('Function: parseScheduleExpression', () => {
  it.each([
    ['rate(1 minute)', 60],
    ['rate(5 minutes)', 300],
    ['rate(2 hours)', 7200],
    ['rate(1 day)', 86400],
  ])('reads %s as every %i seconds', (text, seconds) => {
    // Act & Assess
    expect(parseScheduleExpression(text)).toMatchObject({ kind: 'rate', everySeconds: seconds });
  });

  it.each([
    ['every day', "'every day' is neither cron(...) nor rate(...)"],
    ['rate(0 minutes)', 'rate value must be at least 1'],
    ['rate(5 minute)', "rate(5 minute): use the plural unit 'minutes'"],
    ['rate(5 weeks)', "rate must be 'rate(<positive integer> minute|minutes|hour|hours|day|days)'"],
    ['cron(0 2 * * ? * *)', 'cron needs 6 fields'],
    ['cron(0 2 ? * ? *)', 'exactly one of day-of-month and day-of-week must be ?'],
    ['cron(60 2 * * ? *)', "minutes value '60' is out of range (0-59)"],
    ['cron(0 2 * FOO ? *)', "month value 'FOO' is out of range (1-12 or JAN-DEC)"],
    ['cron(0 2 ? * 8 *)', "day-of-week value '8' is out of range (1-7 or SUN-SAT)"],
    ['cron(0 2 ? * MON#6 *)', 'the number after # must be 1-5'],
    ['cron(0 5-2 * * ? *)', "hours range '5-2' runs backwards"],
    ['cron(0/0 * * * ? *)', "minutes step '0' must be a positive integer"],
  ])('rejects %s with a message saying why', (text, message) => {
    // Act & Assess
    expect(() => parseScheduleExpression(text)).toThrowError(message);
  });
});

describe('Function: cronOccurrences', () => {
  it('fires at 02:00 Paris time, which is 01:00 UTC in winter and 00:00 UTC in summer', () => {
    // Prepare
    const cron = cronOf('cron(0 2 * * ? *)');

    // Act
    const winter = cronOccurrences(
      cron,
      'Europe/Paris',
      new Date('2026-01-10T00:00:00Z'),
      new Date('2026-01-12T00:00:00Z'),
    );
    const summer = cronOccurrences(
      cron,
      'Europe/Paris',
      new Date('2026-07-10T00:00:00Z'),
      new Date('2026-07-11T00:00:00Z'),
    );

    // Assess
    expect(iso(winter)).toEqual(['2026-01-10T01:00:00.000Z', '2026-01-11T01:00:00.000Z']);
    expect(iso(summer)).toEqual(['2026-07-10T00:00:00.000Z']);
  });

  it('skips a wall-clock time the spring DST change removes', () => {
    // Prepare: 2026-03-29 02:30 does not exist in Paris
    const cron = cronOf('cron(30 2 * * ? *)');

    // Act
    const out = cronOccurrences(
      cron,
      'Europe/Paris',
      new Date('2026-03-28T00:00:00Z'),
      new Date('2026-03-31T00:00:00Z'),
    );

    // Assess
    expect(iso(out)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('counts a tick in the hour the autumn DST change repeats once, at its first occurrence, as Scheduler runs it', () => {
    // Prepare: on 2026-10-25 Paris goes from 03:00 CEST back to 02:00 CET; 02:30 happens twice.
    const cron = cronOf('cron(30 2 * * ? *)');
    const hourly = cronOf('cron(0 * * * ? *)');

    // Act
    const out = cronOccurrences(
      cron,
      'Europe/Paris',
      new Date('2026-10-24T00:00:00Z'),
      new Date('2026-10-27T00:00:00Z'),
    );
    const hours = cronOccurrences(
      hourly,
      'Europe/Paris',
      new Date('2026-10-24T23:30:00Z'),
      new Date('2026-10-25T02:30:00Z'),
    );

    // Assess
    expect(iso(out)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    // 02:00 CEST, then 02:00 CET (the same wall clock: skipped), then 03:00 CET.
    expect(iso(hours)).toEqual(['2026-10-25T00:00:00.000Z', '2026-10-25T02:00:00.000Z']);
  });

  it.each([
    ['cron(0/15 * * * ? *)', '2026-05-01T10:00:00Z', '2026-05-01T11:00:00Z', ['10:00', '10:15', '10:30', '10:45']],
    ['cron(0 9 ? * MON-FRI *)', '2026-05-01T00:00:00Z', '2026-05-05T00:00:00Z', ['05-01', '05-04']],
    ['cron(0 0 L * ? *)', '2026-02-01T00:00:00Z', '2026-04-01T00:00:00Z', ['02-28', '03-31']],
    ['cron(0 0 ? * 6L *)', '2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z', ['05-29']],
    ['cron(0 0 ? * 3#2 *)', '2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z', ['05-12']],
    ['cron(0 0 15W * ? *)', '2026-08-01T00:00:00Z', '2026-09-01T00:00:00Z', ['08-14']],
    ['cron(0 0 1 JAN,JUL ? 2027)', '2026-01-01T00:00:00Z', '2028-01-01T00:00:00Z', ['2027-01-01', '2027-07-01']],
  ])('%s fires at the expected UTC times', (text, from, to, expected) => {
    // Act
    const out = iso(cronOccurrences(cronOf(text), 'UTC', new Date(from), new Date(to)));

    // Assess
    expect(out).toHaveLength(expected.length);
    for (const [i, fragment] of expected.entries()) expect(out[i]).toContain(fragment);
  });
});

describe('Function: wallClock / isValidTimeZone', () => {
  it('reads the wall clock with AWS day-of-week numbering (1 = Sunday)', () => {
    // Act
    const t = wallClock(new Date('2026-11-22T23:30:00Z'), 'Asia/Tokyo');

    // Assess
    expect(t).toEqual({ year: 2026, month: 11, day: 23, hour: 8, minute: 30, weekday: 2 });
  });

  it.each([
    ['Europe/Paris', true],
    ['UTC', true],
    ['America/Argentina/Buenos_Aires', true],
    ['Europe/Parris', false],
    ['GMT+25', false],
  ])('says %s is %s', (tz, valid) => {
    // Act & Assess
    expect(isValidTimeZone(tz)).toBe(valid);
  });
});
