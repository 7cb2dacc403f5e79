/**
 * EventBridge schedule expressions: `cron(min hour day-of-month month day-of-week year)` and
 * `rate(value unit)`, parsed, validated with the messages a catalog author needs, and evaluated
 * in a named time zone (for the sweeper's missed-tick check and the local flow's schedule ticks).
 *
 * Rules (EventBridge Scheduler / rules "Cron expressions reference"):
 * - six fields; day-of-month and day-of-week cannot both be given: exactly one of them is `?`;
 * - day-of-month accepts `L` (last day), `nW` (nearest weekday), `LW`; day-of-week accepts
 *   1-7 or SUN-SAT (1 = Sunday), `nL` (last weekday n of the month) and `n#k` (k-th weekday n);
 * - rate: a positive integer and minute(s)/hour(s)/day(s), singular exactly when the value is 1.
 */

export type ScheduleExpression =
  | { kind: 'cron'; text: string; cron: CronSpec }
  | { kind: 'rate'; text: string; everySeconds: number };

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
  hour: number;
  minute: number;
  weekday: number; // 1 = Sunday .. 7 = Saturday (AWS numbering)
}

type Matcher = (t: WallClock) => boolean;

export interface CronSpec {
  minute: Matcher;
  hour: Matcher;
  dayOfMonth: Matcher;
  month: Matcher;
  dayOfWeek: Matcher;
  year: Matcher;
}

export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldDef {
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS = {
  minute: { label: 'minutes', min: 0, max: 59 },
  hour: { label: 'hours', min: 0, max: 23 },
  dayOfMonth: { label: 'day-of-month', min: 1, max: 31 },
  month: { label: 'month', min: 1, max: 12, names: MONTHS },
  dayOfWeek: { label: 'day-of-week', min: 1, max: 7, names: DAYS },
  year: { label: 'year', min: 1970, max: 2199 },
} satisfies Record<string, FieldDef>;

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

const parseValue = (raw: string, def: FieldDef): number => {
  const upper = raw.toUpperCase();
  const named = def.names?.indexOf(upper) ?? -1;
  const value = named >= 0 ? named + 1 : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < def.min || value > def.max) {
    const names = def.names ? ` or ${def.names[0]}-${def.names[def.names.length - 1]}` : '';
    throw new ScheduleExpressionError(`${def.label} value '${raw}' is out of range (${def.min}-${def.max}${names})`);
  }
  return value;
};

/** Parses the plain list syntax (`*`, `a`, `a-b`, `*\/n`, `a/n`, `a-b/n`, comma lists) into a set. */
const parseList = (field: string, def: FieldDef): Set<number> => {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '') {
      throw new ScheduleExpressionError(`${def.label} item '${item}' is not valid`);
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) {
      throw new ScheduleExpressionError(`${def.label} step '${stepText}' must be a positive integer`);
    }
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = def.min;
      hi = def.max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      lo = parseValue(a, def);
      hi = parseValue(b, def);
      if (hi < lo) throw new ScheduleExpressionError(`${def.label} range '${range}' runs backwards`);
    } else {
      lo = parseValue(range, def);
      hi = stepText === undefined ? lo : def.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
};

const setMatcher =
  (key: keyof WallClock, values: Set<number>): Matcher =>
  (t) =>
    values.has(t[key]);

const nearestWeekday = (year: number, month: number, day: number): number => {
  const last = daysInMonth(year, month);
  const d = Math.min(day, last);
  const wd = new Date(Date.UTC(year, month - 1, d)).getUTCDay(); // 0 = Sunday
  if (wd === 6) return d === 1 ? 3 : d - 1; // Saturday -> Friday, unless that leaves the month
  if (wd === 0) return d === last ? d - 2 : d + 1; // Sunday -> Monday, unless that leaves the month
  return d;
};

const parseDayOfMonth = (field: string): Matcher => {
  const def = FIELDS.dayOfMonth;
  if (field === 'L') return (t) => t.day === daysInMonth(t.year, t.month);
  if (field === 'LW') return (t) => t.day === nearestWeekday(t.year, t.month, daysInMonth(t.year, t.month));
  const w = /^(\d+)W$/.exec(field);
  if (w) {
    const day = parseValue(w[1] as string, def);
    return (t) => t.day === nearestWeekday(t.year, t.month, day);
  }
  return setMatcher('day', parseList(field, def));
};

const parseDayOfWeek = (field: string): Matcher => {
  const def = FIELDS.dayOfWeek;
  if (field === 'L') return (t) => t.weekday === 7;
  const last = /^(\w+)L$/.exec(field);
  if (last) {
    const wd = parseValue(last[1] as string, def);
    return (t) => t.weekday === wd && t.day + 7 > daysInMonth(t.year, t.month);
  }
  const nth = /^(\w+)#(\d)$/.exec(field);
  if (nth) {
    const wd = parseValue(nth[1] as string, def);
    const k = Number(nth[2]);
    if (k < 1 || k > 5) throw new ScheduleExpressionError(`day-of-week '${field}': the number after # must be 1-5`);
    return (t) => t.weekday === wd && Math.ceil(t.day / 7) === k;
  }
  return setMatcher('weekday', parseList(field, def));
};

const parseCron = (body: string): CronSpec => {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [minute, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleExpressionError('cron: exactly one of day-of-month and day-of-week must be ?');
  }
  return {
    minute: setMatcher('minute', parseList(minute, FIELDS.minute)),
    hour: setMatcher('hour', parseList(hour, FIELDS.hour)),
    dayOfMonth: dom === '?' ? () => true : parseDayOfMonth(dom),
    month: setMatcher('month', parseList(month, FIELDS.month)),
    dayOfWeek: dow === '?' ? () => true : parseDayOfWeek(dow),
    year: setMatcher('year', parseList(year, FIELDS.year)),
  };
};

const RATE_UNITS: Record<string, number> = { minute: 60, hour: 3600, day: 86400 };

const parseRate = (body: string): number => {
  const m = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!m)
    throw new ScheduleExpressionError(`rate must be 'rate(<positive integer> minute|minutes|hour|hours|day|days)'`);
  const value = Number(m[1]);
  const unit = m[2] as string;
  if (value < 1) throw new ScheduleExpressionError('rate value must be at least 1');
  const singular = !unit.endsWith('s');
  if (singular !== (value === 1)) {
    throw new ScheduleExpressionError(
      value === 1
        ? `rate(1 ${unit}): use the singular unit '${unit.replace(/s$/, '')}'`
        : `rate(${value} ${unit}): use the plural unit '${unit}s'`,
    );
  }
  return value * (RATE_UNITS[unit.replace(/s$/, '')] as number);
};

/**
 * Parses `cron(...)` or `rate(...)`; throws ScheduleExpressionError saying what is wrong.
 *
 * @example parseScheduleExpression('cron(0 2 * * ? *)').kind // 'cron'
 */
export const parseScheduleExpression = (text: string): ScheduleExpression => {
  const m = /^(cron|rate)\((.*)\)$/.exec(text.trim());
  if (!m) throw new ScheduleExpressionError(`'${text}' is neither cron(...) nor rate(...)`);
  return m[1] === 'cron'
    ? { kind: 'cron', text, cron: parseCron(m[2] as string) }
    : { kind: 'rate', text, everySeconds: parseRate(m[2] as string) };
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when the IANA time zone name is known to this runtime's ICU data. */
export const isValidTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** The wall clock in `tz` at instant `at`. */
export const wallClock = (at: Date, tz: string): WallClock => {
  let fmt = formatters.get(tz);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, fmt);
  }
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(at)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: DAYS.indexOf((parts.weekday ?? '').toUpperCase()) + 1,
  };
};

export const cronMatches = (cron: CronSpec, t: WallClock): boolean =>
  cron.minute(t) && cron.hour(t) && cron.month(t) && cron.year(t) && cron.dayOfMonth(t) && cron.dayOfWeek(t);

const MINUTE = 60_000;

/**
 * Instants in [from, to) at which a cron expression fires in time zone `tz`, evaluated on the wall
 * clock (a wall-clock time skipped by a DST change does not fire; one repeated by it fires twice).
 * Days and hours that cannot match are skipped; the day skip stops an hour short of midnight so a
 * DST change in between can never jump past a matching time. Bounded by `limit`.
 */
/**
 * When clocks go back, a wall-clock time repeats; Scheduler runs such a tick "only once and doesn't
 * repeat its invocation" (aws-facts §h), at its first occurrence. True for the second one: the same
 * wall clock was already shown 30, 60 or 120 minutes earlier (the shifts in use; Lord Howe moves by
 * 30 minutes, Troll by 2 hours).
 */
const isRepeatedWallClock = (t: number, w: WallClock, tz: string): boolean =>
  [30, 60, 120].some((shift) => {
    const earlier = wallClock(new Date(t - shift * MINUTE), tz);
    return (
      earlier.year === w.year &&
      earlier.month === w.month &&
      earlier.day === w.day &&
      earlier.hour === w.hour &&
      earlier.minute === w.minute
    );
  });

export const cronOccurrences = (cron: CronSpec, tz: string, from: Date, to: Date, limit = 1000): Date[] => {
  const out: Date[] = [];
  let t = Math.ceil(from.getTime() / MINUTE) * MINUTE;
  while (t < to.getTime() && out.length < limit) {
    const w = wallClock(new Date(t), tz);
    const minuteOfDay = w.hour * 60 + w.minute;
    if (!(cron.year(w) && cron.month(w) && cron.dayOfMonth(w) && cron.dayOfWeek(w))) {
      t += Math.max(1, 1440 - minuteOfDay - 60) * MINUTE;
    } else if (!cron.hour(w)) {
      t += (60 - w.minute) * MINUTE;
    } else {
      if (cron.minute(w) && !isRepeatedWallClock(t, w, tz)) out.push(new Date(t));
      t += MINUTE;
    }
  }
  return out;
};
