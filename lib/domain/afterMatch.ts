/**
 * Jobs that run after jobs (issue 14, section 3): which `after` triggers a finished run starts, and
 * what of the upstream run the downstream run records. Pure: the use case (lib/acceptAfterRun.ts)
 * reads the upstream run from the store, `explain` builds it from a run event.
 */
import type { AfterTrigger, Catalog, Job } from '../catalog/schema.ts';
import { originalTrigger, type Run, type RunTrigger, type UpstreamRun, type UpstreamTrigger } from './run.ts';

/** One downstream run a finished upstream run asks for: the job and the index of its `after` trigger. */
export interface Follower {
  job: Job;
  triggerIndex: number;
}

/** An upstream trigger as a downstream run keeps it: an `after`'s own upstream only by id and job. */
export const upstreamTriggerOf = (t: RunTrigger): UpstreamTrigger => {
  const o = originalTrigger(t);
  return o.type === 'after' ? { type: 'after', upstreamRunId: o.upstream.runId, upstreamJob: o.upstream.job } : o;
};

/** What a downstream run records of the run it follows (its recorded exit code and result, if it has them). */
export const upstreamOf = (run: Run): UpstreamRun => ({
  runId: run.runId,
  job: run.job,
  status: run.status,
  trigger: upstreamTriggerOf(run.trigger),
  ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
  ...(run.outcome?.exitCode !== undefined ? { exitCode: run.outcome.exitCode } : {}),
  ...(run.result !== undefined ? { result: run.result } : {}),
});

/** The upstream as a downstream records it when its result does not fit: said, not carried. */
export const withoutResult = (u: UpstreamRun): UpstreamRun => {
  const { result, ...rest } = u;
  return result === undefined ? u : { ...rest, resultOmitted: true };
};

/** Whether an `after` trigger takes this finished upstream run: its job, one of its statuses, its filter. */
export const afterMatches = (t: AfterTrigger, upstream: UpstreamRun): boolean => {
  if (t.job !== upstream.job) return false;
  if (!(t.on as readonly string[]).includes(upstream.status)) return false;
  const f = t.filter;
  if (f?.trigger && !f.trigger.includes(upstream.trigger.type)) return false;
  if (f?.keyPrefix !== undefined && !(upstream.trigger.type === 's3' && upstream.trigger.key.startsWith(f.keyPrefix)))
    return false;
  return true;
};

/**
 * The runs a finished upstream run starts: each job once, by its first matching `after` trigger
 * (the run id derives from the upstream run id and the job, so a second trigger would name the same run).
 *
 * @example followersOf(catalog, upstreamOf(run)).map((f) => f.job.name) // ['ingest-report']
 */
export const followersOf = (catalog: Catalog, upstream: UpstreamRun): Follower[] =>
  catalog.jobs.flatMap((job) => {
    const triggerIndex = job.triggers.findIndex((t) => t.type === 'after' && afterMatches(t, upstream));
    return triggerIndex >= 0 ? [{ job, triggerIndex }] : [];
  });

/** The jobs any `after` trigger follows: the run-event rule delivers only their runs' events. */
export const upstreamJobs = (catalog: Catalog): string[] =>
  [...new Set(catalog.jobs.flatMap((j) => j.triggers.flatMap((t) => (t.type === 'after' ? [t.job] : []))))].sort();

/** The `after` graph, edge by edge (upstream -> downstream on statuses), for `plan` and `jobs list`. */
export const afterEdges = (catalog: Catalog): { upstream: string; downstream: string; on: string[] }[] =>
  catalog.jobs.flatMap((j) =>
    j.triggers.flatMap((t) => (t.type === 'after' ? [{ upstream: t.job, downstream: j.name, on: [...t.on] }] : [])),
  );
