/**
 * Fan-out (issue 14, section 1): a run of a job that declares `fanOut` is a parent; its items,
 * cut into chunks, become children, each an ordinary run of the job with its own index. Pure: the
 * identities, the chunking, the failure tolerance and the parent's verdict (docs/decisions.md,
 * "Fan-out (issue 14)").
 */
import type { FanOut } from '../catalog/schema.ts';
import type { RunStatus } from './run.ts';
import { runIdFor } from './runId.ts';

/**
 * The most children one parent may have: AWS Batch's array job limit ("Valid Range: Minimum value
 * of 2. Maximum value of 10000.",
 * https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_BatchArrayProperties.html).
 */
export const MAX_CHILDREN = 10_000;
/** The most items a `count` may declare (each child then gets up to `itemsPerTask` of them). */
export const MAX_COUNT_ITEMS = 1_000_000;
export const MAX_ITEMS_PER_TASK = 1_000;
/** Children one expansion step creates: a step is well inside the launcher's timeout. */
export const CHILDREN_PER_STEP = 100;
/** Children one tally item counts (`TALLY#<page>`): the item stays under 1 KB, one write unit. */
export const TALLY_PAGE_SIZE = 100;
/** How many failed indices the parent's record and its final event list (the tally has them all). */
export const LISTED_FAILURES = 50;

/** The statuses a child ends in that count against `tolerate`. */
export const FAILING_STATUSES: readonly RunStatus[] = ['FAILED', 'TIMED_OUT', 'CANCELLED'];

/** The run id of a parent's child `index`: derived, so every step that creates it names the same run. */
export const childRunId = (job: string, parentRunId: string, index: number): string =>
  runIdFor(job, { type: 'child', parentRunId, index });

/** The tally item of a child index. */
export const tallyPageOf = (index: number): number => Math.floor(index / TALLY_PAGE_SIZE);

/** The items of a fan-out: for a count, the numbers 0..count-1. */
export const fanOutItems = (spec: FanOut): unknown[] => Array.from({ length: spec.items.count }, (_, i) => i);

const PERCENT = /^(\d{1,3}(?:\.\d+)?)%$/;

/** What is wrong with a `tolerate` value, or undefined. */
export const tolerateProblem = (tolerate: number | string): string | undefined => {
  if (typeof tolerate === 'number')
    return Number.isInteger(tolerate) && tolerate >= 0 && tolerate <= MAX_CHILDREN
      ? undefined
      : `${tolerate} is not a count of failed children (0-${MAX_CHILDREN})`;
  const m = PERCENT.exec(tolerate);
  if (!m || Number(m[1]) > 100) return `'${tolerate}' is not a count (2) or a percentage from 0% to 100% ('5%')`;
  return undefined;
};

/**
 * How many children may fail before the parent fails: a count as it is; a percentage of the
 * children rounded down, as Step Functions' ToleratedFailurePercentage (the run fails when the
 * failed share exceeds it).
 */
export const toleratedFailures = (tolerate: number | string, children: number): number => {
  if (typeof tolerate === 'number') return tolerate;
  const m = PERCENT.exec(tolerate);
  return m ? Math.floor((Number(m[1]) * children) / 100 + 1e-9) : 0;
};

/** The characters a text takes inside the overrides' JSON (quotes and backslashes escaped). */
export const jsonInJsonLength = (text: string): number => JSON.stringify(text).length - 2;

export type Chunking = { ok: true; chunks: string[] } | { ok: false; reason: string };

/**
 * Cuts the items into chunks of at most `itemsPerTask`, each a JSON array whose text, as it sits in
 * the RunTask overrides, fits `budget` characters: a chunk closes early rather than grow past it.
 * An item that alone does not fit, or more than MAX_CHILDREN chunks, is a reason to fail.
 */
export const chunkItems = (items: readonly unknown[], itemsPerTask: number, budget: number): Chunking => {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2; // the brackets
  const close = () => {
    if (current.length > 0) chunks.push(`[${current.join(',')}]`);
    current = [];
    size = 2;
  };
  for (let i = 0; i < items.length; i++) {
    const text = JSON.stringify(items[i]) ?? 'null';
    const length = jsonInJsonLength(text);
    if (length + 2 > budget)
      return {
        ok: false,
        reason: `item ${i} is ${length} characters as JSON; a child's items must fit in ${budget - 2} (RunTask overrides allow 8,192 in all)`,
      };
    if (current.length >= itemsPerTask || size + length + (current.length > 0 ? 1 : 0) > budget) close();
    size += length + (current.length > 0 ? 1 : 0);
    current.push(text);
    if (chunks.length > MAX_CHILDREN) break;
  }
  close();
  if (chunks.length > MAX_CHILDREN)
    return {
      ok: false,
      reason: `${items.length} items make more than ${MAX_CHILDREN} children (AWS Batch's array limit)`,
    };
  return { ok: true, chunks };
};

/** What the tally items of a parent add up to. */
export interface ChildTally {
  /** Final children counted, by status. */
  counts: Partial<Record<RunStatus, number>>;
  /** Children counted so far (any final status). */
  counted: number;
  /** Their indices, ascending. */
  countedIndices: number[];
  /** Indices of the children that ended in a failing status, ascending. */
  failed: number[];
}

/**
 * The children of a final parent that `runs retry PARENT --failed` runs again: every index that
 * did not succeed. That is the failed ones (FAILED, TIMED_OUT, CANCELLED), and also the ones never
 * counted (a fail-fast parent cancels or stops creating children; a child still being stopped):
 * what a person re-running "what did not work" expects, and never an item that succeeded.
 */
export const unsucceededIndices = (total: number, tally: ChildTally): number[] => {
  const failed = new Set(tally.failed);
  const succeeded = new Set(tally.countedIndices.filter((i) => !failed.has(i)));
  return Array.from({ length: total }, (_, i) => i).filter((i) => !succeeded.has(i));
};

export const failuresOf = (tally: ChildTally): number =>
  FAILING_STATUSES.reduce((n, s) => n + (tally.counts[s] ?? 0), 0);

export type ParentVerdict =
  | { outcome: 'wait' }
  | { outcome: 'succeed'; reason: string }
  | { outcome: 'fail'; reason: string };

/**
 * The parent's verdict on its tally: failed as soon as more children failed than tolerated (fail
 * fast: the others cannot make up for it), succeeded once every child is counted (and the
 * expansion has created them all), else it waits.
 */
export const parentVerdict = (input: {
  tally: ChildTally;
  total: number;
  tolerated: number;
  expanded: boolean;
}): ParentVerdict => {
  const { tally, total, tolerated, expanded } = input;
  const failures = failuresOf(tally);
  if (failures > tolerated) {
    const listed = tally.failed.slice(0, 10).join(', ');
    return {
      outcome: 'fail',
      reason: `${failures} of ${total} children failed, more than the ${tolerated} tolerated (index ${listed}${tally.failed.length > 10 ? ', ...' : ''})`,
    };
  }
  if (expanded && tally.counted >= total)
    return {
      outcome: 'succeed',
      reason:
        failures > 0
          ? `${total - failures} of ${total} children succeeded; ${failures} failed, within the ${tolerated} tolerated`
          : `all ${total} children succeeded`,
    };
  return { outcome: 'wait' };
};

/** The variables a child's task gets beside its trigger's: which chunk it is, and its items. */
export const childEnvironment = (child: {
  parent: { runId: string; index: number; count: number; items: string };
}): Record<string, string> => ({
  LONGSHORE_PARENT_RUN_ID: child.parent.runId,
  LONGSHORE_INDEX: String(child.parent.index),
  LONGSHORE_COUNT: String(child.parent.count),
  LONGSHORE_ITEMS: child.parent.items,
});
