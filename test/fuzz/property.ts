/**
 * The property: every generated history keeps the invariants. fast-check generates, runs, and on a
 * failure shrinks to a minimal history; its seed and path replay it. The figures RELIABILITY.md
 * reports are the sums over the histories generated (not the shrinking runs).
 */
import * as fc from 'fast-check';
import { type History, history } from './history.ts';
import { type ReplayReport, replay } from './replay.ts';

export interface Figures {
  histories: number;
  steps: number;
  eventsDelivered: number;
  duplicatesDelivered: number;
  concurrentDeliveries: number;
  invocations: number;
  crashesInjected: number;
  faultsInjected: number;
  faultsByKind: Record<string, number>;
  launchRefusals: number;
  sdkRetries: number;
  sweeps: number;
  runs: number;
  tasks: number;
  invariantChecks: number;
  violations: number;
}

export interface HistoriesOutcome {
  figures: Figures;
  failure?: { seed: number; path: string; error: string; history: History };
}

export const sumFigures = (reports: ReplayReport[]): Figures => {
  const byKind: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.stats.faultsByKind)) byKind[k] = (byKind[k] ?? 0) + v;
  const sum = (f: (r: ReplayReport) => number) => reports.reduce((a, r) => a + f(r), 0);
  return {
    histories: reports.length,
    steps: sum((r) => r.stats.steps),
    eventsDelivered: sum((r) => r.stats.eventsDelivered),
    duplicatesDelivered: sum((r) => r.stats.duplicatesDelivered),
    concurrentDeliveries: sum((r) => r.stats.concurrentDeliveries),
    invocations: sum((r) => r.stats.invocations),
    crashesInjected: sum((r) => r.stats.crashes),
    faultsInjected: sum((r) => r.stats.faults),
    faultsByKind: Object.fromEntries(Object.entries(byKind).sort()),
    launchRefusals: sum((r) => r.stats.launchRefusals),
    sdkRetries: sum((r) => r.stats.retriedBySdk),
    sweeps: sum((r) => r.stats.sweeps),
    runs: sum((r) => r.stats.runs),
    tasks: sum((r) => r.stats.tasks),
    invariantChecks: sum((r) => r.stats.invariantChecks),
    violations: sum((r) => r.violations.length),
  };
};

/** Replays one history; throws the violations (fast-check shrinks on a throw). */
export const checkHistory = async (h: History, endpoint: string): Promise<ReplayReport> => {
  const report = await replay(h, endpoint);
  if (report.violations.length > 0) throw new Error(`invariants broken:\n  ${report.violations.join('\n  ')}`);
  return report;
};

export const runHistories = async (opts: {
  endpoint: string;
  runs: number;
  seed: number;
  path?: string;
  /** Stop generating (or shrinking) after this long; what was found so far is reported. */
  timeLimitMs?: number;
  progress?: (n: number, report: ReplayReport, ms: number) => void;
}): Promise<HistoriesOutcome> => {
  const reports: ReplayReport[] = [];
  const result = await fc.check(
    fc.asyncProperty(history, async (h) => {
      const started = Date.now();
      const report = await replay(h, opts.endpoint);
      reports.push(report);
      opts.progress?.(reports.length, report, Date.now() - started);
      if (report.violations.length > 0) throw new Error(`invariants broken:\n  ${report.violations.join('\n  ')}`);
    }),
    {
      numRuns: opts.runs,
      seed: opts.seed,
      ...(opts.path ? { path: opts.path } : {}),
      ...(opts.timeLimitMs ? { interruptAfterTimeLimit: opts.timeLimitMs } : {}),
      endOnFailure: false,
    },
  );
  const generated = reports.slice(0, result.failed ? result.numRuns : reports.length);
  const figures = sumFigures(generated);
  if (!result.failed) return { figures };
  return {
    figures,
    failure: {
      seed: result.seed,
      path: result.counterexamplePath ?? '',
      error: String(result.errorInstance instanceof Error ? result.errorInstance.message : result.errorInstance),
      history: (result.counterexample?.[0] ?? undefined) as History,
    },
  };
};
