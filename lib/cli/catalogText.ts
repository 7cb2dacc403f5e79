/** How a job's triggers and capacity read in the CLI (`jobs list`, `plan`, `up`): one way each. */
import type { AfterTrigger, Catalog, Job, S3Trigger, Trigger } from '../catalog/schema.ts';
import { afterEdges } from '../domain/afterMatch.ts';
import { describeBatch } from '../domain/batch.ts';

/** `bucket/prefix*suffix`: the keys an s3 trigger takes. */
export const s3Pattern = (t: Pick<S3Trigger, 'bucket' | 'prefix' | 'suffix'>): string =>
  `${t.bucket}/${t.prefix ?? ''}*${t.suffix ?? ''}`;

/**
 * One trigger in one line: `s3://bucket/prefix*suffix`, `cron(...) Europe/Paris`, `manual`; with
 * `overlap`, a schedule says its overlap policy unless it is `allow`.
 */
export const describeTrigger = (t: Trigger, opts: { overlap?: boolean } = {}): string => {
  switch (t.type) {
    case 's3':
      return `s3://${s3Pattern(t)}${t.batch ? ` (${describeBatch(t.batch)})` : ''}`;
    case 'schedule':
      return `${t.expression} ${t.timezone}${opts.overlap && t.overlap !== 'allow' ? ` (overlap: ${t.overlap})` : ''}`;
    case 'manual':
      return 'manual';
    case 'after':
      return `after ${t.job} ${t.on.join('|')}${afterFilterText(t)}`;
    case 'event':
      return `event ${patternText(t.pattern)} on bus ${t.bus ?? 'default'}`;
    case 'sqs':
      // The queue's name: its ARN is one long word that would widen every table it is in.
      return `sqs ${typeof t.queue === 'string' ? t.queue.split(':').pop() : `queue of param ${t.queue.param}`}`;
  }
};

/** An event pattern in a few words: its sources and detail types, and how many other fields it filters on. */
const patternText = (pattern: Record<string, unknown>): string => {
  const values = (v: unknown) =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join('|') : v === undefined ? undefined : 'filtered';
  const others = Object.keys(pattern).filter((k) => k !== 'source' && k !== 'detail-type');
  return [
    values(pattern.source) ?? 'any source',
    values(pattern['detail-type']) ? `'${values(pattern['detail-type'])}'` : undefined,
    others.length > 0 ? `(+ ${others.join(', ')} filter)` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
};

const afterFilterText = (t: AfterTrigger): string => {
  const parts = [
    ...(t.filter?.trigger ? [`trigger ${t.filter.trigger.join('|')}`] : []),
    ...(t.filter?.keyPrefix !== undefined ? [`key ${t.filter.keyPrefix}*`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
};

export const describeCapacity = (job: Job): string => {
  const c = job.capacity;
  if (c.type === 'fargate') return 'Fargate';
  if (c.type === 'fargate-spot') return `Fargate Spot${c.fallback === 'on-demand' ? ' (on-demand fallback)' : ''}`;
  return `EC2 capacity provider ${c.capacityProvider}`;
};

/** The `after` graph, one edge a line: `csv-ingest -> ingest-summary (on SUCCEEDED)`; empty without one. */
export const describeAfterGraph = (catalog: Catalog): string[] =>
  afterEdges(catalog).map((e) => `${e.upstream} -> ${e.downstream} (on ${e.on.join(', ')})`);
