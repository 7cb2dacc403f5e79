/**
 * A fan-out parent's launch message expands it, one step per message (issue 14; the launcher calls
 * this instead of launching a task: lib/launch.ts). A step:
 *  1. cuts the items into chunks (pure and deterministic: every step and every redelivery cuts the
 *     same chunks; the first step fixes the number of children and the tolerance on the parent);
 *  2. creates the next CHILDREN_PER_STEP children with conditional puts, their ids derived from the
 *     parent's and their index (a redelivered step finds them and creates nothing);
 *  3. queues the children that are still QUEUED for launch (before the cursor moves: a crash
 *     between leaves them to the redelivered step, never unqueued);
 *  4. moves the parent's cursor with a conditional update (`created` must be what this step read);
 *  5. queues the parent's message again for the next step, or, once every child exists, moves the
 *     parent to RUNNING and publishes `Run Started` (the parent never gets a task).
 * A crash between any two writes leaves a state the redelivery continues from; two deliveries of
 * one step both create the same children and only one moves the cursor.
 * Items that cannot be cut (one item too large, more than 10,000 children) fail the parent at its
 * first step, before any child exists.
 */
import type { Job } from './catalog/schema.ts';
import {
  CHILDREN_PER_STEP,
  type Chunking,
  childRunId,
  chunkItems,
  fanOutItems,
  jsonInJsonLength,
  toleratedFailures,
} from './domain/fanOut.ts';
import { newRun } from './domain/newRun.ts';
import type { Run } from './domain/run.ts';
import { OVERRIDES_LIMIT, worstCaseOverridesSize } from './domain/taskRequest.ts';
import { logger } from './logger.ts';
import type { CoreDeps, StopDeps } from './ports.ts';
import { finishRun, publishOnce } from './runLifecycle.ts';
import { decideParent, releaseHeld } from './tallyChild.ts';

/** What a step did, in the launcher's words (a LaunchResult). */
export type ExpandResult = 'launched' | 'deferred' | 'skipped' | 'failed';

/** Creates at once at most this many children of a step (each a conditional put). */
const PUTS_AT_ONCE = 10;

/** A child run of `parent`: an ordinary run of the job, with the parent's trigger and overrides. */
export const childRun = (
  parent: Run,
  job: Job,
  child: { index: number; count: number; items: string; held?: boolean },
  now: Date,
): Run => ({
  ...newRun({ job, trigger: parent.trigger, ...(parent.overrides ? { overrides: parent.overrides } : {}) }, now),
  runId: childRunId(job.name, parent.runId, child.index),
  parent: { runId: parent.runId, index: child.index, count: child.count, items: child.items },
  // Past maxParallel: held until a child that ends releases it.
  ...(child.held ? { heldByParent: true } : {}),
  // Every item of a fan-out goes with its parent.
  expiresAt: parent.expiresAt,
});

/**
 * The characters a child's items may take in its RunTask overrides: what the 8,192 leave once the
 * rest of the worst attempt a child can have (every other variable, the longest attempt number, a
 * size override) is counted.
 */
export const itemsBudget = (stage: string, job: Job, parent: Run): number =>
  OVERRIDES_LIMIT -
  worstCaseOverridesSize(stage, job, childRun(parent, job, { index: 9999, count: 10_000, items: '' }, new Date(0)));

/** The parent's chunks (the same on every step: the items are derived from the catalog). */
export const chunksOf = (stage: string, job: Job, parent: Run): Chunking => {
  const spec = job.fanOut;
  if (!spec) return { ok: false, reason: `job '${job.name}' declares no fanOut` };
  return chunkItems(fanOutItems(spec), spec.itemsPerTask, itemsBudget(stage, job, parent));
};

/** The chunks of one step: how many children the parent has, and the items of `from`..`to`-1. */
type StepChunks = { ok: true; total: number; chunks: string[] } | { ok: false; reason: string };

/**
 * The items of `of`'s children at `indices`, as those children were given them: read from the
 * child runs (the truth, whatever the catalog says now), and for a child never created (its
 * parent stopped expanding when it failed fast) cut again as that parent cut them, or, when that
 * parent was itself a retry of items, looked up in the parent it took them from.
 */
const itemsOfChildren = async (deps: StopDeps, job: Job, of: Run, indices: number[]): Promise<StepChunks> => {
  const found = new Map<number, string>();
  for (const child of await deps.store.getRuns(indices.map((i) => childRunId(job.name, of.runId, i))))
    if (child.parent?.runId === of.runId) found.set(child.parent.index, child.parent.items);
  const missing = indices.filter((i) => !found.has(i));
  if (missing.length > 0) {
    if (of.itemsOf) {
      const origin = await deps.store.getRun(of.itemsOf.runId);
      if (!origin)
        return { ok: false, reason: `run ${of.itemsOf.runId}, whose items run ${of.runId} retried, no longer exists` };
      const from = await itemsOfChildren(
        deps,
        job,
        origin,
        missing.map((i) => of.itemsOf?.indices[i] as number),
      );
      if (!from.ok) return from;
      for (const [k, i] of missing.entries()) found.set(i, from.chunks[k] as string);
    } else {
      const cut = chunksOf(deps.settings.stage, job, of);
      if (!cut.ok) return cut;
      if (of.fanOut && cut.chunks.length !== of.fanOut.total)
        return {
          ok: false,
          reason: `the job's fanOut changed since run ${of.runId} (${of.fanOut.total} children, now ${cut.chunks.length}): the items of its children never created cannot be cut again`,
        };
      for (const i of missing) found.set(i, cut.chunks[i] as string);
    }
  }
  return { ok: true, total: indices.length, chunks: indices.map((i) => found.get(i) as string) };
};

/**
 * A step's chunks. A parent made by `runs retry PARENT --failed` runs the items of the retried
 * parent's children it names (one BatchGetItem a step); its new overrides may leave less room for
 * items, so each chunk is checked against this parent's budget.
 */
const stepChunks = async (deps: StopDeps, job: Job, parent: Run, from: number, to: number): Promise<StepChunks> => {
  if (!parent.itemsOf) {
    const cut = chunksOf(deps.settings.stage, job, parent);
    return cut.ok ? { ok: true, total: cut.chunks.length, chunks: cut.chunks.slice(from, to) } : cut;
  }
  const { runId, indices } = parent.itemsOf;
  const of = await deps.store.getRun(runId);
  if (!of) return { ok: false, reason: `run ${runId}, whose items this run retries, no longer exists` };
  const step = await itemsOfChildren(deps, job, of, indices.slice(from, to));
  if (!step.ok) return step;
  const budget = itemsBudget(deps.settings.stage, job, parent);
  const tooLong = step.chunks.findIndex((c) => jsonInJsonLength(c) > budget);
  if (tooLong >= 0)
    return {
      ok: false,
      reason: `the items of child ${indices[from + tooLong]} of run ${runId} no longer fit in a task's overrides with this run's changes (${jsonInJsonLength(step.chunks[tooLong] as string)} characters, ${budget} left)`,
    };
  return { ok: true, total: indices.length, chunks: step.chunks };
};

const failParent = async (deps: CoreDeps, parent: Run, reason: string): Promise<ExpandResult> => {
  deps.metrics.fault('FAN_OUT_REFUSED');
  logger.error('Fan-out cannot expand: parent failed', { reason });
  await finishRun(deps, parent, { to: 'FAILED', from: ['QUEUED'], reason, releaseSlot: false });
  return 'failed';
};

const createChildren = async (deps: CoreDeps, children: Run[]): Promise<Run[]> => {
  const toQueue: Run[] = [];
  for (let i = 0; i < children.length; i += PUTS_AT_ONCE) {
    const results = await Promise.all(children.slice(i, i + PUTS_AT_ONCE).map((c) => deps.store.createRun(c)));
    // A child found (a redelivered step) is queued again while QUEUED: the launcher is idempotent.
    for (const { run } of results)
      if (run.status === 'QUEUED' && !run.waitingForSlot && !run.heldByParent) toQueue.push(run);
  }
  return toQueue;
};

/** Once every child exists: the parent is RUNNING (no task), `Run Started`, and its tally decides. */
const finishExpansion = async (deps: StopDeps, parent: Run): Promise<ExpandResult> => {
  const now = deps.now();
  const running =
    (await deps.store.transition(
      parent,
      { from: ['QUEUED'], attempt: parent.attempt, to: 'RUNNING', set: { startedAt: now.toISOString() } },
      now,
    )) ?? (await deps.store.getRun(parent.runId));
  if (running?.status !== 'RUNNING') return 'skipped';
  await publishOnce(deps, running, 'Run Started');
  logger.info('Fan-out expanded: every child created', { children: running.fanOut?.total });
  // Children that ended while the expansion went on were counted, but only now can all be counted.
  await decideParent(deps, running);
  return 'launched';
};

/** One expansion step of a QUEUED parent; see the module comment. */
export const expandFanOut = async (deps: StopDeps, parent: Run, job: Job): Promise<ExpandResult> => {
  const from = parent.fanOut?.created ?? 0;
  if (parent.fanOut && from >= parent.fanOut.total) return finishExpansion(deps, parent);
  const chunking = await stepChunks(deps, job, parent, from, from + CHILDREN_PER_STEP);
  if (!chunking.ok) return failParent(deps, parent, chunking.reason);
  const { chunks, total } = chunking;
  const progress = parent.fanOut ?? {
    total,
    created: 0,
    tolerated: toleratedFailures(job.fanOut?.tolerate ?? 0, total),
    ...(job.fanOut?.maxParallel !== undefined ? { maxParallel: job.fanOut.maxParallel } : {}),
  };
  if (progress.total !== total)
    return failParent(
      deps,
      parent,
      `the job's fanOut changed while its children were created (${progress.total} children, now ${total})`,
    );
  const to = Math.min(progress.total, from + CHILDREN_PER_STEP);
  const now = deps.now();
  const { maxParallel } = progress;
  const children = chunks
    .slice(0, to - from)
    .map((items, k) =>
      childRun(
        parent,
        job,
        { index: from + k, count: progress.total, items, held: maxParallel !== undefined && from + k >= maxParallel },
        now,
      ),
    );
  const toQueue = await createChildren(deps, children);
  await deps.queue.enqueue(toQueue.map((c) => ({ runId: c.runId, attempt: c.attempt })));
  // Children that ended meanwhile released places that held children of this step may take: read
  // after the puts, so a tally that found a child not created yet is made up for here.
  if (maxParallel !== undefined && children.some((c) => c.heldByParent))
    await releaseHeld(deps, parent, { maxParallel, total: progress.total, from, to });
  const advanced = await deps.store.advanceFanOut(parent, from, { ...progress, created: to }, now);
  if (!advanced) {
    // Another delivery of this step moved the cursor (its next message is on the way), or the
    // parent left QUEUED (cancelled, or failed fast by its tally): nothing more to do here.
    logger.info('Fan-out step done by another delivery, or the parent moved on', { from });
    return 'skipped';
  }
  logger.info('Fan-out step: children created', { from, to, total: progress.total });
  if (to >= progress.total) return finishExpansion(deps, advanced);
  await deps.queue.enqueue([{ runId: parent.runId, attempt: parent.attempt }]);
  return 'deferred';
};
