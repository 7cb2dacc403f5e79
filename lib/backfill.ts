/**
 * `longshore backfill JOB --from T --to T [--dry-run]` (through the control function): the ticks the
 * job's schedules would have produced in the window (lib/domain/backfill.ts), each a run with the
 * real tick's identity, created through the same accept path as a tick (acceptRuns: a conditional
 * create, then the launch queue, which paces the launches and holds them behind `maxConcurrent`).
 * A tick that already has a run (the real one, or an earlier backfill) finds it and adds nothing.
 */
import { acceptRuns } from './acceptRuns.ts';
import { findJob } from './catalog/active.ts';
import type { BackfilledTick, BackfillResult, ControlRequest } from './contracts/control.ts';

import { BackfillWindowError, backfillTicks } from './domain/backfill.ts';
import type { RunTrigger } from './domain/run.ts';
import { identityOf, runIdFor } from './domain/runId.ts';
import { RequestRejectedError } from './errors.ts';
import type { ControlDeps } from './ports.ts';

export const backfill = async (
  deps: ControlDeps,
  request: Extract<ControlRequest, { action: 'backfill' }>,
): Promise<BackfillResult> => {
  const job = findJob(request.job, deps.catalog());
  const from = new Date(request.from);
  const to = new Date(request.to);
  // A rate schedule's grid is anchored on a tick it recorded (the store's SCHEDULE# record).
  const anchors = new Map<number, string>();
  for (const [i, t] of job.triggers.entries()) {
    if (t.type !== 'schedule' || !t.enabled || !t.expression.startsWith('rate(')) continue;
    const ticks = await deps.store.scheduleTicks(job.name, i);
    if (ticks) anchors.set(i, ticks.lastTick);
  }
  let ticks: ReturnType<typeof backfillTicks>;
  try {
    ticks = backfillTicks(job, from, to, deps.now(), (i) => anchors.get(i));
  } catch (e) {
    if (e instanceof BackfillWindowError) throw new RequestRejectedError(e.message);
    throw e;
  }
  const triggers: RunTrigger[] = ticks.map((t) => ({
    type: 'schedule',
    schedule: deps.scheduleArn(job.name, t.triggerIndex),
    scheduledTime: t.scheduledTime,
    triggerIndex: t.triggerIndex,
  }));
  const base = { action: 'backfill' as const, job: job.name, from: from.toISOString(), to: to.toISOString() };
  if (request.dryRun) {
    const listed: BackfilledTick[] = [];
    for (const [n, t] of ticks.entries()) {
      const runId = runIdFor(job.name, identityOf(triggers[n] as RunTrigger));
      const existing = await deps.store.getRun(runId);
      listed.push({ ...t, runId, ...(existing ? { status: existing.status } : {}) });
    }
    return { ...base, dryRun: true, ticks: listed };
  }
  // The overlap policy is not applied: it decides between live ticks racing one another, and a
  // backfill's ticks are all past. They queue behind `maxConcurrent` as any burst does.
  const accepted = await acceptRuns(
    deps,
    triggers.map((trigger) => ({ job, trigger })),
  );
  return {
    ...base,
    dryRun: false,
    ticks: ticks.map((t, n) => {
      const a = accepted[n] as (typeof accepted)[number];
      return { ...t, runId: a.runId, status: a.status, created: a.created };
    }),
  };
};
