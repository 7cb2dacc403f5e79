/** How runs look in the CLI: the list, one run with its attempts, and their JSON forms. */
import { existsSync } from 'node:fs';
import type { Catalog } from '../catalog/schema.ts';
import { type AttemptSummary, summarizeAttempt } from '../domain/attemptSummary.ts';
import { costBasis, estimateCost, formatCost, PRICED_REGIONS, PRICES_AS_OF } from '../domain/cost.ts';
import { formatDuration } from '../domain/duration.ts';
import { formatCpu, formatMemory } from '../domain/fargateSizes.ts';
import type { Attempt, Run } from '../domain/run.ts';
import { triggerSummary } from '../domain/runEvents.ts';
import { parseResult } from '../domain/runResult.ts';
import type { RunStats } from '../domain/runStats.ts';
import { localLogFile } from '../local/localLogs.ts';
import type { ChildrenView, RunHistory } from './backends.ts';
import type { Output } from './Output.ts';

const age = (iso: string): string => {
  const s = (Date.now() - Date.parse(iso)) / 1000;
  return s < 60
    ? `${Math.round(s)}s ago`
    : s < 3600
      ? `${Math.round(s / 60)}m ago`
      : s < 86400
        ? `${Math.round(s / 3600)}h ago`
        : `${Math.round(s / 86400)}d ago`;
};

/** A fan-out parent's children in one line: "20 children (2 tolerated): 17 SUCCEEDED, 3 FAILED; 20 created". */
const childrenLine = (c: ChildrenView): string => {
  const counts = Object.entries(c.counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const waiting = c.total - c.counted;
  return `${c.total} (${c.tolerated} failed tolerated): ${counts || 'none ended yet'}${waiting > 0 ? `; ${waiting} not ended` : ''}${
    c.created < c.total ? `; ${c.created} created so far` : ''
  }`;
};

/** Indices as a person reads them: the first 10, then how many more. */
const listIndices = (indices: number[]): string =>
  `${indices.slice(0, 10).join(', ')}${indices.length > 10 ? `, and ${indices.length - 10} more` : ''}`;

/** What `runs list` says of a run's trigger; a fan-out child or parent says so first. */
const triggerColumn = (r: Run): string =>
  r.parent
    ? `child ${r.parent.index}/${r.parent.count} of ${r.parent.runId}`
    : r.fanOut
      ? `fan-out of ${r.fanOut.total}: ${triggerSummary(r.trigger)}`
      : triggerSummary(r.trigger);

export const printRunList = (out: Output, runs: Run[]): void => {
  if (out.json) {
    out.document({ runs });
    return;
  }
  if (runs.length === 0) {
    out.line('No runs.');
    return;
  }
  out.table(
    ['run', 'status', 'att', 'created', 'trigger', 'last outcome'],
    runs.map((r) => [
      r.runId,
      out.status(r.status),
      String(r.attempt),
      out.opts.tty ? age(r.createdAt) : r.createdAt,
      triggerColumn(r).slice(0, 70),
      r.outcome
        ? `${r.outcome.exitCode !== undefined ? `exit ${r.outcome.exitCode} ` : ''}${r.outcome.action ?? ''} [${r.outcome.rule ?? ''}]`
        : (r.reason ?? ''),
    ]),
  );
};

/** The attempt's recorded estimate (lib/trackTask.ts), else one made now from its record (older records). */
export const attemptCost = (catalog: Catalog, run: Run, a: Attempt): number | undefined => {
  if (a.cost) return a.cost.costUsd;
  const job = catalog.jobs.find((j) => j.name === run.job);
  const s = summarizeAttempt(a);
  if (s.costApplies && s.durationSeconds === undefined) return undefined;
  return estimateCost({
    cpu: a.cpu,
    memory: a.memory,
    seconds: s.durationSeconds ?? 0,
    started: s.costApplies,
    architecture: job?.architecture ?? 'X86_64',
    capacity: a.capacityProvider,
    ...(job?.size.ephemeralStorageGiB !== undefined ? { ephemeralStorageGiB: job.size.ephemeralStorageGiB } : {}),
  });
};

/**
 * Where to read an attempt's logs: the recorded CloudWatch link of the container that decided
 * (none if the task never started), or locally the log file the simulated task wrote.
 */
export const logsOf = (a: Attempt, localLogsDir?: string): string | undefined => {
  const link = summarizeAttempt(a).logLink;
  if (localLogsDir && a.taskArn && link) {
    const file = localLogFile(localLogsDir, link);
    if (file && existsSync(file)) return file;
  }
  return link;
};

const DID_NOT_START = 'did not start';

/** The Regions whose prices the attempts were estimated at ("us-east-1"). */

/** One job's figures over the window of `runs list --summary`. */
export interface JobSummary {
  job: string;
  stats: RunStats;
  /** The window held more runs than were read (`STATS_RUNS`): the figures are of the newest ones. */
  capped: boolean;
}

const percentOf = (ratio: number | undefined): string => (ratio === undefined ? '-' : `${Math.round(ratio * 100)}%`);
const secondsText = (s: number | undefined): string =>
  s === undefined ? '-' : s < 10 ? `${s.toFixed(1)}s` : formatDuration(Math.round(s));

/**
 * `runs list --summary`: per job over the window, its runs, how many ended by themselves and
 * succeeded (success rate), p50/p95 duration (creation to finish) and the recorded cost.
 */
export const printRunSummary = (out: Output, window: { from: string; to: string }, jobs: JobSummary[]): void => {
  if (out.json) {
    out.document({
      window,
      pricesAsOf: PRICES_AS_OF,
      jobs: jobs.map(({ job, stats, capped }) => {
        const { buckets: _b, ...figures } = stats;
        return { job, ...figures, ...(capped ? { capped } : {}) };
      }),
    });
    return;
  }
  out.line(`Runs created from ${window.from} to ${window.to}`);
  out.table(
    ['job', 'runs', 'succeeded', 'failed', 'success', 'p50', 'p95', 'cost'],
    jobs.map(({ job, stats, capped }) => [
      job,
      `${stats.runs}${capped ? '+' : ''}`,
      String(stats.byStatus.SUCCEEDED ?? 0),
      String((stats.byStatus.FAILED ?? 0) + (stats.byStatus.TIMED_OUT ?? 0)),
      percentOf(stats.successRate),
      secondsText(stats.p50Seconds),
      secondsText(stats.p95Seconds),
      stats.costUsd === undefined ? '-' : formatCost(stats.costUsd),
    ]),
  );
  out.line(
    out.c.dim(
      `Success: succeeded of the runs that ended by themselves. Duration: creation to finish. Cost: estimate at Fargate list prices as of ${PRICES_AS_OF} (${PRICED_REGIONS}).`,
    ),
  );
};

/** "did not start (stop code TaskFailedToStart)", "not yet", or the start time. */
const startedField = (a: Attempt, s: AttemptSummary): string | undefined =>
  s.started
    ? a.startedAt
    : !s.ended
      ? 'not yet'
      : `${DID_NOT_START} (${s.hasTask ? (a.stopCode ? `stop code ${a.stopCode}` : 'no stop code') : 'RunTask created no task'})`;

/** "container 'side': exit 1"; what decided an attempt that is over. */
const decidedBy = (s: AttemptSummary): string | undefined => {
  if (!s.ended) return undefined;
  if (!s.hasTask) return 'RunTask: no task was created';
  if (!s.deciding) return undefined;
  const code = s.exitCode !== undefined ? `exit ${s.exitCode}` : 'no exit code';
  return `container '${s.deciding.name}': ${s.started ? code : `${DID_NOT_START}, ${code}`}`;
};

export const printRunHistory = (out: Output, catalog: Catalog, h: RunHistory, localLogsDir?: string): void => {
  const { run, attempts } = h;
  const summaries = attempts.map((a) => summarizeAttempt(a));
  const costs = attempts.map((a) => attemptCost(catalog, run, a));
  const total = costs.some((c) => c !== undefined) ? costs.reduce<number>((s, c) => s + (c ?? 0), 0) : undefined;
  const noneStarted = summaries.length > 0 && summaries.every((s) => s.ended && !s.started);
  if (out.json) {
    out.document({
      run,
      attempts: attempts.map((a, i) => {
        const s = summaries[i] as AttemptSummary;
        // The record's own duration and link are replaced by the summary's (older records gave a
        // task that never started both).
        const { durationSeconds: _d, logLink: _l, ...record } = a;
        return {
          ...record,
          ...(s.ended ? { started: s.started } : {}),
          ...(s.deciding
            ? {
                decidedBy: {
                  container: s.deciding.name,
                  ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
                  ...(s.reason ? { reason: s.reason } : {}),
                },
              }
            : {}),
          ...(s.durationSeconds !== undefined ? { durationSeconds: s.durationSeconds } : {}),
          ...(s.logLink ? { logLink: s.logLink, logs: logsOf(a, localLogsDir) } : {}),
          costUsd: costs[i],
        };
      }),
      costUsd: total,
      // The result as the value it is (the run record keeps its JSON text).
      ...(run.result !== undefined ? { result: parseResult(run.result) } : {}),
      ...(h.slotHolders ? { slotHolders: h.slotHolders } : {}),
      ...(h.logExcerpt ? { logExcerpt: h.logExcerpt } : {}),
      ...(h.children ? { children: h.children } : {}),
    });
    return;
  }
  out.line(`${out.c.bold(run.runId)}  ${out.status(run.status)}`);
  out.fields([
    ['job', run.job],
    ['trigger', triggerSummary(run.trigger)],
    [
      'image',
      run.overrides?.image ??
        (run.overrides?.imageTag !== undefined
          ? `tag ${run.overrides.imageTag} of the job's image (its own task definition revision)`
          : undefined),
    ],
    ['created', run.createdAt],
    ['finished', run.finishedAt],
    [
      'attempts',
      `${run.attempt} (retries used: ${run.retries.app} application, ${run.retries.infra} infrastructure${
        Object.keys(run.retries.rules).length
          ? `, ${Object.entries(run.retries.rules)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ')}`
          : ''
      })`,
    ],
    [
      'now',
      run.status === 'PAUSED'
        ? `held: job ${run.job} is paused${run.pausedAt ? ` (held since ${run.pausedAt})` : ''}; \`npx longshore jobs resume ${run.job}\` releases it`
        : run.status === 'QUEUED' && run.notBefore
          ? `queued; not before ${run.notBefore}`
          : run.waitingForSlot
            ? `waiting for a concurrency slot${
                h.slotHolders && h.slotHolders.length > 0
                  ? ` (held by ${h.slotHolders.map((s) => `${s.runId} since ${s.acquiredAt}`).join(', ')})`
                  : ''
              }`
            : undefined,
    ],
    [run.status === 'SUCCEEDED' ? 'outcome' : 'reason', run.reason],
    ['result', run.result ?? (run.resultError ? `none: ${run.resultError}` : undefined)],
    ['parent', run.parent ? `${run.parent.runId} (child ${run.parent.index} of ${run.parent.count})` : undefined],
    ['items', run.parent?.items],
    [
      'retries',
      run.itemsOf
        ? `the ${run.itemsOf.indices.length} items of ${run.itemsOf.runId} that did not succeed (its children ${listIndices(run.itemsOf.indices)})`
        : undefined,
    ],
    ['children', h.children ? childrenLine(h.children) : undefined],
    [
      'cost',
      noneStarted
        ? `none (${DID_NOT_START})`
        : total !== undefined
          ? `${formatCost(total)} (estimate: ${costBasis(attempts)})`
          : undefined,
    ],
  ]);
  if (h.children && h.children.failed.length > 0) {
    out.line();
    out.line(out.c.bold('Failed children'));
    out.table(
      ['index', 'run', 'status', 'decision'],
      h.children.failed.map((f) => [String(f.index), f.runId, out.status(f.status), f.decision ?? '']),
    );
    if (h.children.moreFailed > 0) out.line(`and ${h.children.moreFailed} more`);
  }
  for (const [i, a] of attempts.entries()) {
    const s = summaries[i] as AttemptSummary;
    const notStarted = s.ended && !s.started;
    const logs = logsOf(a, localLogsDir);
    out.line();
    out.line(out.c.bold(`Attempt ${a.attempt}  ${out.status(a.status)}`));
    out.fields([
      ['task', a.taskArn],
      ['capacity', `${a.capacityProvider}, ${formatCpu(a.cpu)}, ${formatMemory(a.memory)}`],
      ['started', startedField(a, s)],
      ['stopped', a.stoppedAt],
      [
        'duration',
        s.durationSeconds !== undefined
          ? formatDuration(s.durationSeconds)
          : notStarted
            ? `none (${DID_NOT_START})`
            : undefined,
      ],
      ['decided by', decidedBy(s)],
      [
        'containers',
        a.containers && a.containers.length > 1
          ? a.containers
              .map((c) => `${c.name}=${c.exitCode ?? '-'}${c.essential === false ? ' (non-essential)' : ''}`)
              .join(', ')
          : undefined,
      ],
      ['stop code', a.stopCode],
      ['reason', a.stoppedReason ?? a.launchFailure],
      ['spot notice', a.spotNoticeAt],
      ['decision', a.decision ? `${a.decision.action} [rule ${a.decision.rule}]` : undefined],
      ['diagnosis', a.decision?.diagnosis],
      ['next', a.decision?.next],
      [
        'logs',
        notStarted
          ? 'none (the task did not start, so it has no log stream)'
          : logs && s.deciding
            ? `${logs} (container '${s.deciding.name}')`
            : logs,
      ],
      [
        'cost',
        notStarted && costs[i] === 0
          ? `none (${DID_NOT_START})`
          : costs[i] !== undefined
            ? formatCost(costs[i])
            : undefined,
      ],
    ]);
  }
  if (h.logExcerpt && h.logExcerpt.lines.length > 0) {
    out.line();
    out.line(
      out.c.bold(`Last log lines of container '${h.logExcerpt.container}', attempt ${h.logExcerpt.attempt}`) +
        out.c.dim(`  (all of them: npx longshore runs logs ${run.runId})`),
    );
    for (const l of h.logExcerpt.lines) out.line(`  ${out.c.dim('|')} ${l}`);
  }
};
