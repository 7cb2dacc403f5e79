/**
 * EventBridge Scheduler and EventBridge rule schedule expressions, as AWS documents them, written
 * independently of `lib/domain/scheduleExpression.ts` so the two can be held against each other:
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html and
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html.
 *
 * - `rate(value unit)`: a positive whole number and `minute|minutes|hour|hours|day|days`, the
 *   singular exactly when the value is 1.
 * - `cron(minutes hours day-of-month month day-of-week year)`: six fields; day-of-month or
 *   day-of-week must be `?` (not both, not neither); wildcards `, - * /` everywhere, `?` in the two
 *   day fields, `L` in both day fields, `W` in day-of-month, `#` in day-of-week.
 * - `at(yyyy-mm-ddThh:mm:ss)`: Scheduler only, a one-time schedule.
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const CRON_FIELDS: Field[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS },
  { name: 'year', min: 1970, max: 2199 },
];

const fieldValue = (f: Field, text: string): number | undefined => {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= f.min && n <= f.max ? n : undefined;
  }
  const i = f.names?.indexOf(text.toUpperCase()) ?? -1;
  return i >= 0 ? i + f.min : undefined;
};

const fieldProblems = (f: Field, text: string): string[] => {
  const bad = [`${f.name} '${text}' is not valid`];
  if (text === '?') return f.name === 'day-of-month' || f.name === 'day-of-week' ? [] : bad;
  if (f.name === 'day-of-month' && (text === 'L' || /^(\d{1,2})W$/.test(text) || text === 'LW')) {
    const m = /^(\d{1,2})W$/.exec(text);
    return m && fieldValue(f, m[1] as string) === undefined ? bad : [];
  }
  if (f.name === 'day-of-week') {
    const hash = /^([A-Za-z]{3}|\d)#([1-5])$/.exec(text);
    if (hash) return fieldValue(f, hash[1] as string) === undefined ? bad : [];
    const last = /^([A-Za-z]{3}|\d)?L$/.exec(text);
    if (last) return last[1] !== undefined && fieldValue(f, last[1]) === undefined ? bad : [];
  }
  for (const part of text.split(',')) {
    const [range, step] = part.split('/') as [string, string | undefined];
    if (step !== undefined && !/^\d+$/.test(step)) return bad;
    if (range === '*') continue;
    const ends = range.split('-');
    if (ends.length > 2 || ends.some((e) => fieldValue(f, e) === undefined)) return bad;
  }
  return [];
};

/** Problems with a schedule expression; [] when valid. `scheduler` allows `at(...)`. */
export const scheduleExpressionProblems = (expression: string, opts: { scheduler: boolean }): string[] => {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const singular = !(rate[2] as string).endsWith('s');
    if (n < 1) return [`rate value must be positive in '${expression}'`];
    if ((n === 1) !== singular) return [`'${expression}': use the singular unit exactly when the value is 1`];
    return [];
  }
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
  if (at) {
    if (!opts.scheduler) return ['at() expressions exist only in EventBridge Scheduler'];
    const d = new Date(`${at.slice(1, 4).join('-')}T${at.slice(4, 7).join(':')}Z`);
    return Number.isNaN(d.getTime()) ? [`'${expression}' is not a date`] : [];
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return [`'${expression}' is neither rate(...), cron(...) nor at(...)`];
  const fields = (cron[1] as string).split(' ');
  if (fields.length !== 6) return [`'${expression}' has ${fields.length} fields; cron takes 6`];
  const problems = fields.flatMap((text, i) => fieldProblems(CRON_FIELDS[i] as Field, text));
  const [dom, dow] = [fields[2], fields[4]];
  if ((dom === '?') === (dow === '?'))
    problems.push(`'${expression}': exactly one of day-of-month and day-of-week is '?'`);
  return problems;
};

/** Whether a time zone name is one the IANA database knows (links included, e.g. US/Eastern). */
export const isIanaTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return !/^[+-]/.test(zone);
  } catch {
    return false;
  }
};
