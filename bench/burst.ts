/**
 * A burst through the real slot path: uploads for the fixture job (`maxConcurrent`) arriving at the
 * rate of 10,000 a minute, 10% of them delivered twice, through the deployed onUpload, launcher
 * (its two event-source instances, each with its pacer and the SDK's adaptive retry), sweeper and
 * onTaskStateChange, against ECS's documented token buckets, tasks that stop on their own, every
 * AWS call answered after a simulated latency (bench/sim/world.ts). Two accounts: a quiet one, and
 * one where other callers spend half the RunTask rate.
 *
 * The ideal drain is the larger of: the last upload's arrival, all runs at the account's rate left
 * over (20 RunTask calls/s minus other callers), all runs through the job's slots at the task's own
 * duration. The measured drain is the time of the last task launch.
 */
import type { Packaged } from './build/package.ts';
import { LATENCY_MS } from './cost.ts';
import { FIXTURES, type LocalDynamo } from './production.ts';
import type { Scenario, SimResult } from './sim/world.ts';
import { simulate, type TableState } from './simulate.ts';
import { round } from './stats.ts';
import type { Check } from './warm.ts';

/** ECS's documented RunTask rate on Fargate (calls per second, burst and sustained). */
export const ACCOUNT_RUN_TASK_RATE = 20;

export interface BurstCase {
  case: string;
  uploads: number;
  deliveries: number;
  foreignPerSecond: number;
  runs: number;
  drainSeconds: number;
  idealSeconds: number;
  idealBoundBy: string;
  drainRatio: number;
  /** Our RunTask calls launched per second while draining, and the share of the rate left to us. */
  launchesPerSecond: number;
  shareOfRateLeft: number;
  runTaskCalls: number;
  throttledCalls: number;
  throttledShare: number;
  foreignThrottled: number;
  runsLost: number;
  duplicateTasks: number;
  deadLettered: number;
  /** DynamoDB requests per run over the whole life of the runs (the sweeper's included), by operation. */
  dynamodbPerRun: number;
  dynamodbPerRunByOp: Record<string, number>;
  launchMessagesPerRun: number;
  lambdaInvocationsPerRun: Record<string, number>;
  runEventsPerRun: Record<string, number>;
  virtualSeconds: number;
  wallSeconds: number;
  table: TableState;
}

export interface BurstResult {
  cases: BurstCase[];
  task: Scenario['task'];
  latencyMs: Record<string, number>;
  seconds: number;
  checks: Check[];
}

export const burstScenario = (name: string, uploads: number, foreignPerSecond: number): Scenario => ({
  name,
  uploads,
  duplicateEvery: 10,
  // 10,000 uploads a minute, whatever the size of the burst.
  arrivalSeconds: (uploads * 60) / 10_000,
  foreignPerSecond,
  // Short tasks, so that the job's 50 slots are not what bounds the drain (the account's rate is):
  // 50 slots / 1 s a task = 50 launches/s of room, over twice the account's 20.
  task: { startSeconds: 0.5, runSeconds: 0.5, exitCodes: [0] },
  latencyMs: LATENCY_MS,
  eventDelayMs: 500,
  capacity: false,
  maxVirtualSeconds: 6 * 3600,
  sweeper: true,
  quantumMs: 5,
});

const summarize = (sc: Scenario, r: SimResult, table: TableState): BurstCase => {
  const runs = r.expectedRuns;
  const rateLeft = ACCOUNT_RUN_TASK_RATE - sc.foreignPerSecond;
  const taskLife = sc.task.startSeconds + sc.task.runSeconds;
  const bounds: [string, number][] = [
    ['last upload', sc.arrivalSeconds],
    [`${runs} runs at ${rateLeft} RunTask/s`, runs / rateLeft],
    [`${runs} runs through ${FIXTURES.uploadMaxConcurrent} slots`, (runs * taskLife) / FIXTURES.uploadMaxConcurrent],
  ];
  const [idealBoundBy, idealSeconds] = bounds.reduce((a, b) => (b[1] > a[1] ? b : a));
  const dynamo = Object.entries(r.requests).filter(([k]) => k.startsWith('dynamodb:'));
  const ddbTotal = dynamo.reduce((a, [, v]) => a + v, 0);
  const launchWindow = Math.max(0.001, r.lastLaunchAt - r.firstLaunchAt);
  return {
    case: sc.name,
    uploads: sc.uploads,
    deliveries: r.lambda.onUpload?.invocations ?? 0,
    foreignPerSecond: sc.foreignPerSecond,
    runs,
    drainSeconds: round(r.lastLaunchAt, 1),
    idealSeconds: round(idealSeconds, 1),
    idealBoundBy,
    drainRatio: round(r.lastLaunchAt / idealSeconds, 3),
    launchesPerSecond: round(r.tasksLaunched / launchWindow, 2),
    shareOfRateLeft: round(r.tasksLaunched / launchWindow / rateLeft, 3),
    runTaskCalls: r.ecs.runTaskCalls ?? 0,
    throttledCalls: r.ecs.runTaskThrottled ?? 0,
    throttledShare: round((r.ecs.runTaskThrottled ?? 0) / Math.max(1, r.ecs.runTaskCalls ?? 0), 4),
    foreignThrottled: r.ecs.foreignThrottled ?? 0,
    runsLost: runs - r.finalRuns + table.notFinal,
    duplicateTasks: r.duplicateTasks,
    deadLettered: r.sqs.deadLettered,
    dynamodbPerRun: round(ddbTotal / runs, 2),
    dynamodbPerRunByOp: Object.fromEntries(dynamo.map(([k, v]) => [k.slice(9), round(v / runs, 2)])),
    launchMessagesPerRun: round(r.sqs.messagesSent / runs, 2),
    lambdaInvocationsPerRun: Object.fromEntries(
      Object.entries(r.lambda).map(([fn, s]) => [fn, round(s.invocations / runs, 3)]),
    ),
    runEventsPerRun: Object.fromEntries(Object.entries(r.events.byType).map(([t, n]) => [t, round(n / runs, 3)])),
    virtualSeconds: round(r.virtualSeconds, 1),
    wallSeconds: round(r.wallSeconds, 1),
    table,
  };
};

export const burstBench = async (opts: {
  pkg: Packaged;
  ddb: LocalDynamo;
  quietUploads: number;
  busyUploads: number;
  timeoutSeconds: number;
}): Promise<BurstResult> => {
  const t0 = performance.now();
  const checks: Check[] = [];
  const cases: BurstCase[] = [];
  const scenarios = [
    burstScenario('quiet', opts.quietUploads, 0),
    burstScenario('busy', opts.busyUploads, ACCOUNT_RUN_TASK_RATE / 2),
  ];
  // The two accounts run at once (each its own process and table): DynamoDB Local uses both cores.
  const outcomes = await Promise.all(
    scenarios.map((scenario) =>
      simulate({ pkg: opts.pkg, ddb: opts.ddb, scenario, timeoutSeconds: opts.timeoutSeconds }),
    ),
  );
  outcomes.forEach(({ result, table }, i) => {
    const sc = scenarios[i] as Scenario;
    const c = summarize(sc, result, table);
    cases.push(c);
    const name = `burst (${sc.name})`;
    checks.push({
      name: `${name}: the simulation finished (every run final, the launch queue empty)`,
      ok: result.finished,
      detail: `${result.finalRuns}/${result.expectedRuns} final, ${result.messagesLeft} messages left`,
    });
    checks.push({
      name: `${name}: one run per upload`,
      ok: c.runs === sc.uploads && table.runs === sc.uploads,
      detail: `${c.runs} runs (table ${table.runs}) for ${sc.uploads} uploads`,
    });
    checks.push({
      name: `${name}: every run SUCCEEDED (none lost)`,
      ok: c.runsLost === 0 && table.byStatus.SUCCEEDED === sc.uploads,
      detail: JSON.stringify(table.byStatus),
    });
    checks.push({
      name: `${name}: one task per attempt (no duplicate task)`,
      ok: c.duplicateTasks === 0 && result.tasksLaunched === sc.uploads,
      detail: `${result.tasksLaunched} tasks, ${c.duplicateTasks} duplicates`,
    });
    checks.push({
      name: `${name}: nothing dead-lettered, no async invocation failed`,
      ok: c.deadLettered === 0 && result.asyncFailures.length === 0,
      detail: result.asyncFailures.slice(0, 3).join('; '),
    });
  });
  return {
    cases,
    task: scenarios[0]?.task as Scenario['task'],
    latencyMs: LATENCY_MS,
    seconds: round((performance.now() - t0) / 1000, 1),
    checks,
  };
};
