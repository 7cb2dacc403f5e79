/**
 * The query parameters of the console's pages, checked at the edge: each refusal is a 400 that
 * names the parameter and its rule (the page says it), never a store error later.
 */
import type { Catalog } from '../../catalog/schema.ts';
import { parseDuration } from '../../domain/duration.ts';
import { RUN_STATUSES, type RunStatus } from '../../domain/run.ts';
import { type RunFilter, TRIGGER_KINDS, type TriggerKind } from '../../domain/runFilter.ts';
import { firstControlChar } from '../../domain/taskEnvironment.ts';
import { Refused } from '../../local/flowServer.ts';
import { checkRunId } from '../arguments.ts';
import type { RunCursor } from '../runListing.ts';
import type { CursorCodec } from './cursor.ts';

const bad = (message: string): Refused => new Refused(400, message);

/** The longest trigger text a filter takes (an S3 key is at most 1,024 bytes). */
export const MAX_TRIGGER_FILTER = 1024;
export const PAGE_SIZES = [25, 50, 100, 200] as const;

/** A time: a duration ago (`2h`, `7d`) or a date (`2026-11-22`, `2026-11-22T09:00:00Z`). */
const timeParam = (name: string, value: string, now: Date): string => {
  const seconds = parseDuration(value);
  if (seconds !== undefined) return new Date(now.getTime() - seconds * 1000).toISOString();
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && Number.isFinite(Date.parse(value)))
    return new Date(value).toISOString();
  throw bad(
    `${name}: '${value.slice(0, 40)}' is neither a duration ago (30m, 2h, 7d) nor a date (2026-11-22T09:00:00Z)`,
  );
};

export interface RunsParams {
  job?: string;
  /** As given (`FAILED,TIMED_OUT`), for the form. */
  status?: string;
  filter: RunFilter;
  limit: number;
  cursor?: RunCursor;
  /** The parameters that make the filter, for links (without cursor). */
  query: URLSearchParams;
}

const one = (q: URLSearchParams, name: string): string | undefined => {
  const all = q.getAll(name).filter((v) => v !== '');
  if (all.length > 1) throw bad(`${name}: given ${all.length} times; give it once`);
  return all[0];
};

/** The Runs page's filter, from its query. */
export const runsParams = (q: URLSearchParams, catalog: Catalog, now: Date, cursors: CursorCodec): RunsParams => {
  const query = new URLSearchParams();
  const job = one(q, 'job');
  if (job !== undefined) {
    if (!catalog.jobs.some((j) => j.name === job))
      throw bad(
        `job: '${job.slice(0, 40)}' is not a job of the catalog (${catalog.jobs.map((j) => j.name).join(', ')})`,
      );
    query.set('job', job);
  }
  const status = one(q, 'status');
  let statuses: RunStatus[] | undefined;
  if (status !== undefined) {
    statuses = status.split(',').map((s) => {
      const known = RUN_STATUSES.find((r) => r === s.trim().toUpperCase());
      if (!known) throw bad(`status: '${s.slice(0, 20)}' is not one of ${RUN_STATUSES.join(', ')}`);
      return known;
    });
    query.set('status', status);
  }
  const kind = one(q, 'kind');
  if (kind !== undefined && !(TRIGGER_KINDS as readonly string[]).includes(kind))
    throw bad(`kind: '${kind.slice(0, 20)}' is not one of ${TRIGGER_KINDS.join(', ')}`);
  if (kind) query.set('kind', kind);
  const trigger = one(q, 'trigger');
  if (trigger !== undefined) {
    if (trigger.length > MAX_TRIGGER_FILTER) throw bad(`trigger: at most ${MAX_TRIGGER_FILTER} characters`);
    if (firstControlChar(trigger)) throw bad('trigger: control characters are not allowed');
    query.set('trigger', trigger);
  }
  const sinceText = one(q, 'since');
  const untilText = one(q, 'until');
  const since = sinceText !== undefined ? timeParam('since', sinceText, now) : undefined;
  const until = untilText !== undefined ? timeParam('until', untilText, now) : undefined;
  if (sinceText) query.set('since', sinceText);
  if (untilText) query.set('until', untilText);
  const limitText = one(q, 'limit');
  const limit = limitText === undefined ? 50 : Number(limitText);
  if (!(PAGE_SIZES as readonly number[]).includes(limit)) throw bad(`limit: one of ${PAGE_SIZES.join(', ')}`);
  if (limitText) query.set('limit', limitText);
  const cursorText = one(q, 'cursor');
  return {
    ...(job ? { job } : {}),
    ...(status ? { status } : {}),
    filter: {
      ...(statuses ? { statuses } : {}),
      ...(kind ? { triggerKind: kind as TriggerKind } : {}),
      ...(trigger ? { trigger } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
    },
    limit,
    ...(cursorText ? { cursor: cursors.decode(cursorText) } : {}),
    query,
  };
};

/** A run id in a path, checked as the CLI checks one. */
export const runIdParam = (value: string): string => {
  try {
    return checkRunId('run', decodeURIComponent(value));
  } catch (e) {
    throw bad((e as Error).message);
  }
};

export const WINDOWS = { '1h': 3600, '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400 } as const;
export type WindowName = keyof typeof WINDOWS;

/** The Jobs page's window. */
export const windowParam = (q: URLSearchParams): WindowName => {
  const w = one(q, 'window') ?? '24h';
  if (!(w in WINDOWS)) throw bad(`window: one of ${Object.keys(WINDOWS).join(', ')}`);
  return w as WindowName;
};
