/**
 * A fan-out child that ended is counted on its parent, once, and the parent decided (issue 14).
 * Children end everywhere a run ends (settle, cancel, sweeper timeout or loss); every such end
 * publishes the child's final run event, and onRunFinished brings it here (lib/acceptAfterRun.ts),
 * so there is one place that counts, however the child ended. The count is one conditional write on
 * the parent's tally item (lib/aws/runStore/childRecords.ts); the parent's final transition is
 * conditional on its status and records its `Run Succeeded` / `Run Failed` in the same write (with
 * its children by status), so one event is published however many children end at once.
 * Fail fast: once more children failed than tolerated, the parent fails and the children that have
 * a task are cancelled (queued ones are cancelled by the launcher, which checks the parent first).
 */
import { cancelRun } from './cancelRun.ts';
import { childRunId, LISTED_FAILURES, parentVerdict } from './domain/fanOut.ts';
import { isFinal, type Run } from './domain/run.ts';
import { logger, withCorrelation } from './logger.ts';
import type { CoreDeps, StopDeps } from './ports.ts';
import { finalEventKey, finishRun, publishFinal } from './runLifecycle.ts';

export interface TallyResult {
  parentRunId: string;
  /** False when this child was counted before (a redelivered event). */
  counted: boolean;
  /** The parent's status after this tally. */
  parentStatus?: Run['status'];
}

/** Reads the children by their derived ids, 100 a request. */
const childrenOf = async (deps: CoreDeps, parent: Run, visit: (children: Run[]) => Promise<void>): Promise<void> => {
  const created = parent.fanOut?.created ?? 0;
  for (let i = 0; i < created; i += 100) {
    const ids = Array.from({ length: Math.min(100, created - i) }, (_, k) =>
      childRunId(parent.job, parent.runId, i + k),
    );
    await visit(await deps.store.getRuns(ids));
  }
};

/**
 * How far below the released limit a tally looks for held children: two tallies at once may read
 * the same count and release the same child, so each looks back this far (and the sweeper's
 * backstop releases every child below the limit).
 */
const RELEASE_WINDOW = 20;

/**
 * Releases held children (`maxParallel`): those with an index below maxParallel + children counted
 * (a place freed by each child that ended), within `from`-`to` (else the last RELEASE_WINDOW below
 * the limit), each queued for launch. Idempotent: a released child is no longer held.
 */
export const releaseHeld = async (
  deps: CoreDeps,
  parent: Pick<Run, 'runId' | 'job'>,
  opts: { maxParallel: number; total: number; from?: number; to?: number; counted?: number },
): Promise<number> => {
  const counted = opts.counted ?? (await deps.store.childTally(parent.runId)).counted;
  const limit = Math.min(opts.total, opts.maxParallel + counted);
  const from = Math.max(opts.maxParallel, opts.from ?? limit - RELEASE_WINDOW);
  const to = Math.min(limit, opts.to ?? limit);
  if (from >= to) return 0;
  const ids = Array.from({ length: to - from }, (_, k) => childRunId(parent.job, parent.runId, from + k));
  const now = deps.now();
  const released: Run[] = [];
  for (const child of await deps.store.getRuns(ids)) {
    if (!child.heldByParent || child.status !== 'QUEUED') continue;
    const moved = await deps.store.transition(child, { from: ['QUEUED'], remove: ['heldByParent'] }, now);
    if (moved) released.push(moved);
  }
  await deps.queue.enqueue(released.map((c) => ({ runId: c.runId, attempt: c.attempt })));
  if (released.length > 0) logger.debug('Held children released', { released: released.length });
  return released.length;
};

/**
 * Cancels a finished parent's children that have (or may have) a task; the queued ones are
 * cancelled when their launch message comes (lib/launch.ts checks the parent first), and the held
 * ones, which have none, are sent one.
 */
export const stopChildren = async (deps: StopDeps, parent: Run): Promise<number> => {
  let stopped = 0;
  const reason = `parent ${parent.runId} is ${parent.status.toLowerCase()}`;
  await childrenOf(deps, parent, async (children) => {
    const held = children.filter((c) => c.status === 'QUEUED' && c.heldByParent);
    await deps.queue.enqueue(held.map((c) => ({ runId: c.runId, attempt: c.attempt })));
    for (const child of children) {
      if (isFinal(child.status) || child.status === 'QUEUED' || child.status === 'CANCELLING') continue;
      await cancelRun(deps, child.runId, reason);
      stopped++;
    }
  });
  if (stopped > 0) logger.info('Children of a finished parent cancelled', { stopped });
  return stopped;
};

/**
 * Decides a parent on its tally: FAILED when more children failed than tolerated, SUCCEEDED once all
 * are counted (and the expansion is done), else nothing. Idempotent; returns the parent as it is.
 */
export const decideParent = async (deps: StopDeps, parent: Run): Promise<Run> => {
  if (!parent.fanOut || isFinal(parent.status)) return parent;
  const tally = await deps.store.childTally(parent.runId);
  const verdict = parentVerdict({
    tally,
    total: parent.fanOut.total,
    tolerated: parent.fanOut.tolerated,
    expanded: parent.status === 'RUNNING',
  });
  if (verdict.outcome === 'wait') {
    const { maxParallel, total } = parent.fanOut;
    if (maxParallel !== undefined) await releaseHeld(deps, parent, { maxParallel, total, counted: tally.counted });
    return parent;
  }
  const to = verdict.outcome === 'fail' ? 'FAILED' : 'SUCCEEDED';
  const now = deps.now();
  const finished = await deps.store.transition(
    parent,
    {
      from: ['QUEUED', 'RUNNING'],
      to,
      set: {
        finishedAt: now.toISOString(),
        reason: verdict.reason,
        childCounts: tally.counts,
        ...(tally.failed.length > 0 ? { failedChildren: tally.failed.slice(0, LISTED_FAILURES) } : {}),
      },
      remove: ['waitingForSlot', 'dispatchedAt', 'notBefore'],
      publish: finalEventKey(to, parent.attempt),
    },
    now,
  );
  const current = finished ?? (await deps.store.getRun(parent.runId)) ?? parent;
  if (current.status === to) await publishFinal(deps, current);
  if (finished) {
    logger.info(to === 'FAILED' ? 'Fan-out parent failed' : 'Fan-out parent succeeded', { reason: verdict.reason });
    if (to === 'FAILED') await stopChildren(deps, current);
  }
  return current;
};

/**
 * Counts a final child on its parent and decides the parent.
 *
 * @example await tallyChild(deps, child) // { parentRunId, counted: true, parentStatus: 'RUNNING' }
 */
export const tallyChild = async (deps: StopDeps, child: Run): Promise<TallyResult | undefined> => {
  const ref = child.parent;
  if (!ref || !isFinal(child.status)) return undefined;
  return withCorrelation({ job: child.job, runId: ref.runId }, async () => {
    const counted = await deps.store.countChild(ref.runId, ref.index, child.status, child.expiresAt);
    const parent = await deps.store.getRun(ref.runId);
    if (!parent) {
      logger.error('A fan-out child ended, and its parent is not in the store', { child: child.runId });
      return { parentRunId: ref.runId, counted };
    }
    if (isFinal(parent.status)) {
      // A redelivery: the invocation that finished the parent may have died before its event, or
      // before cancelling the children; both are repeated (each is idempotent).
      if (!counted) {
        await publishFinal(deps, parent);
        if (parent.status === 'FAILED' || parent.status === 'CANCELLED') await stopChildren(deps, parent);
      }
      return { parentRunId: ref.runId, counted, parentStatus: parent.status };
    }
    const decided = await decideParent(deps, parent);
    return { parentRunId: ref.runId, counted, parentStatus: decided.status };
  });
};

/**
 * The sweeper's backstop for a RUNNING parent (its children's final events lost, or the invocation
 * that counted the last one died before deciding): counts every final child its tally has not, then
 * decides it. Returns how many children it counted.
 */
export const reconcileParent = async (deps: StopDeps, parent: Run): Promise<number> => {
  if (!parent.fanOut || parent.status !== 'RUNNING') return 0;
  const counted = new Set((await deps.store.childTally(parent.runId)).countedIndices);
  let added = 0;
  await childrenOf(deps, parent, async (children) => {
    for (const child of children) {
      const ref = child.parent;
      if (!ref || counted.has(ref.index) || !isFinal(child.status)) continue;
      if (await deps.store.countChild(parent.runId, ref.index, child.status, child.expiresAt)) added++;
    }
  });
  if (added > 0) logger.warn('Sweep counted fan-out children whose end had not been counted', { added });
  const { maxParallel, total } = parent.fanOut;
  // Every held child below the limit, not only the last ones a tally looks at.
  if (maxParallel !== undefined) await releaseHeld(deps, parent, { maxParallel, total, from: maxParallel, to: total });
  await decideParent(deps, parent);
  return added;
};

/**
 * A child whose launch message comes after its parent ended (failed fast, cancelled) does not run:
 * it is CANCELLED here. True when it may launch.
 */
export const childMayLaunch = async (deps: CoreDeps, child: Run): Promise<boolean> => {
  if (!child.parent) return true;
  const parent = await deps.store.getRun(child.parent.runId);
  if (parent && !isFinal(parent.status) && parent.status !== 'CANCELLING') {
    // Held (maxParallel): a stray message (a redelivery) does not launch it; a release will.
    if (child.heldByParent) logger.info('Child held by its parent (maxParallel): not launched');
    return !child.heldByParent;
  }
  const reason = parent ? `parent ${parent.runId} is ${parent.status.toLowerCase()}` : 'its parent run is gone';
  await finishRun(deps, child, {
    to: 'CANCELLED',
    from: ['QUEUED'],
    attempt: child.attempt,
    reason,
    releaseSlot: true,
  });
  logger.info('Child not launched: its parent ended', { reason });
  return false;
};
