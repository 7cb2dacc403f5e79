/**
 * Requests and cost per run, counted from the calls the simulated service made for one upload
 * from start to end (accept, launch, RUNNING, STOPPED, settle, and for a failure the alert):
 * DynamoDB requests and request units from the items written and read (index writes included),
 * Lambda invocations and billed duration, SQS, EventBridge and SNS requests; priced with the dated
 * us-east-1 table in prices.ts; beside Step Functions Standard and EventBridge -> ECS for the same work.
 */
import type { Packaged } from './build/package.ts';
import { LAMBDA_MB_PER_VCPU, PRICES, PRICES_CHECKED } from './prices.ts';
import type { LocalDynamo } from './production.ts';
import type { Scenario, SimResult } from './sim/world.ts';
import { simulate, type TableState } from './simulate.ts';
import { round } from './stats.ts';
import type { Check } from './warm.ts';

/** Simulated latency of each AWS call (milliseconds): assumptions, the same in every scenario. */
export const LATENCY_MS: Record<string, number> = {
  dynamodb: 5,
  sqs: 10,
  events: 20,
  sns: 20,
  secretsmanager: 20,
  'ecs:RunTask': 150,
  ecs: 50,
};

export interface RunCost {
  case: string;
  attempts: number;
  status: string;
  dynamodb: { requests: number; byOp: Record<string, number>; rru: number; wru: number; indexWru: number };
  lambda: { invocations: Record<string, number>; billedMs: Record<string, number>; gbSeconds: number };
  sqsRequests: { send: number; receive: number; delete: number };
  eventBridgeEvents: number;
  snsPublishes: number;
  /** Dollars per million runs, by service. */
  perMillionRuns: Record<string, number> & { total: number };
}

export interface CostResult {
  pricesChecked: string;
  prices: typeof PRICES;
  cases: RunCost[];
  /** Other ways to run the same work, per million runs. */
  alternatives: { name: string; design: string; perMillionRuns: Record<string, number>; notes: string }[];
  /** The CPU per invocation added to simulated durations (from the warm bench), and how it scales on Lambda. */
  cpuModel: { cpuMsPerInvocation: Record<string, number>; lambdaSlowdown: number };
  seconds: number;
  checks: Check[];
}

const CASES: { name: string; exitCodes: number[]; expect: string; attempts: number }[] = [
  { name: 'clean', exitCodes: [0], expect: 'SUCCEEDED', attempts: 1 },
  { name: 'one retry', exitCodes: [1, 0], expect: 'SUCCEEDED', attempts: 2 },
  { name: 'final failure', exitCodes: [1, 1, 1], expect: 'FAILED', attempts: 3 },
];

export const costScenario = (name: string, exitCodes: number[]): Scenario => ({
  name: `cost-${name.replace(/ /g, '-')}`,
  uploads: 1,
  duplicateEvery: 0,
  arrivalSeconds: 0,
  foreignPerSecond: 0,
  task: { startSeconds: 30, runSeconds: 60, exitCodes },
  latencyMs: LATENCY_MS,
  eventDelayMs: 500,
  capacity: true,
  maxVirtualSeconds: 6 * 3600,
  sweeper: false,
  quantumMs: 0,
});

/**
 * Step Functions Standard doing the same (transitions = states entered; a Wait/loop models retries):
 * - minimal: RunTask(.sync) -> Succeed: 2 transitions; no concurrency limit, history or run events;
 * - equivalent: AcquireSlot (DynamoDB conditional update) -> RunTask(.sync) -> Choice on the exit ->
 *   [Wait -> RunTask -> Choice] per retry -> ReleaseSlot -> RecordRun (DynamoDB) -> PublishEvent
 *   (EventBridge) -> [Publish alert (SNS)] -> Succeed/Fail.
 */
const stepFunctions = (attempts: number, failed: boolean) => {
  const equivalentTransitions = 1 + 2 * attempts + (attempts - 1) + 1 + 1 + 1 + (failed ? 1 : 0) + 1;
  return {
    minimal: 2 + (attempts - 1),
    equivalent: equivalentTransitions,
    // Slot take and release and one history item (about 1 KB each), one run event, an SNS alert on failure.
    wru: 3,
    events: 1,
    sns: failed ? 1 : 0,
  };
};

export const costBench = async (opts: {
  pkg: Packaged;
  ddb: LocalDynamo;
  cpuMsPerInvocation: Record<string, number>;
}): Promise<CostResult> => {
  const t0 = performance.now();
  const checks: Check[] = [];
  const memoryMB = Object.fromEntries(opts.pkg.functions.map((f) => [f.key, f.memoryMB]));
  const slowdown = (fn: string) => LAMBDA_MB_PER_VCPU / (memoryMB[fn] ?? 256);
  const cases: RunCost[] = [];
  for (const c of CASES) {
    const { result, table } = (await simulate({
      pkg: opts.pkg,
      ddb: opts.ddb,
      scenario: costScenario(c.name, c.exitCodes),
      timeoutSeconds: 240,
    })) as { result: SimResult; table: TableState };
    const status = Object.keys(table.byStatus)[0] ?? 'none';
    checks.push({
      name: `cost: the ${c.name} run ends ${c.expect} after ${c.attempts} attempt(s)`,
      ok:
        result.finished &&
        table.runs === 1 &&
        table.byStatus[c.expect] === 1 &&
        result.tasksLaunched === c.attempts &&
        result.asyncFailures.length === 0,
      detail: `${JSON.stringify(table.byStatus)}, ${result.tasksLaunched} tasks, ${result.asyncFailures.join('; ')}`,
    });
    if (c.expect === 'FAILED')
      checks.push({
        name: 'cost: the final failure alerts once (SNS)',
        ok: result.sns.publishes === 1,
        detail: String(result.sns.publishes),
      });
    const ddbOps = Object.fromEntries(
      Object.entries(result.requests)
        .filter(([k]) => k.startsWith('dynamodb:'))
        .map(([k, v]) => [k.slice(9), v]),
    );
    const ddbRequests = Object.values(ddbOps).reduce((a, b) => a + b, 0);
    const units = result.units ?? { read: 0, write: 0, indexWrites: 0, byOp: {} };
    const billedMs: Record<string, number> = {};
    let gbSeconds = 0;
    for (const [fn, s] of Object.entries(result.lambda)) {
      const cpu = (opts.cpuMsPerInvocation[fn] ?? 0) * slowdown(fn) * s.invocations;
      billedMs[fn] = round(s.billedMs + cpu, 0);
      gbSeconds += ((billedMs[fn] ?? 0) / 1000) * ((memoryMB[fn] ?? 256) / 1024);
    }
    const invocations = Object.fromEntries(Object.entries(result.lambda).map(([fn, s]) => [fn, s.invocations]));
    const lambdaRequests = Object.values(invocations).reduce((a, b) => a + b, 0);
    const sqsRequests = { send: result.sqs.sendCalls, receive: result.sqs.receives, delete: result.sqs.deleteBatches };
    const m = 1e6;
    const per: Record<string, number> = {
      dynamodb: (units.read * PRICES.dynamoRru.usd + units.write * PRICES.dynamoWru.usd) * m,
      lambda: (lambdaRequests * PRICES.lambdaRequest.usd + gbSeconds * PRICES.lambdaArmGbSecond.usd) * m,
      sqs: (sqsRequests.send + sqsRequests.receive + sqsRequests.delete) * PRICES.sqsRequest.usd * m,
      eventbridge: result.events.entries * PRICES.eventBridgeEvent.usd * m,
      sns: result.sns.publishes * PRICES.snsPublish.usd * m,
    };
    const total = Object.values(per).reduce((a, b) => a + b, 0);
    cases.push({
      case: c.name,
      attempts: c.attempts,
      status,
      dynamodb: {
        requests: ddbRequests,
        byOp: ddbOps,
        rru: round(units.read, 2),
        wru: units.write,
        indexWru: units.indexWrites,
      },
      lambda: { invocations, billedMs, gbSeconds: round(gbSeconds, 4) },
      sqsRequests,
      eventBridgeEvents: result.events.entries,
      snsPublishes: result.sns.publishes,
      perMillionRuns: {
        ...Object.fromEntries(Object.entries(per).map(([k, v]) => [k, round(v, 2)])),
        total: round(total, 2),
      },
    });
  }
  const clean = stepFunctions(1, false);
  const sf = (t: number, extra: number) => round(t * PRICES.stepFunctionsTransition.usd * 1e6 + extra, 2);
  const sfExtra = (x: ReturnType<typeof stepFunctions>) =>
    (x.wru * PRICES.dynamoWru.usd + x.events * PRICES.eventBridgeEvent.usd + x.sns * PRICES.snsPublish.usd) * 1e6;
  const alternatives = [
    {
      name: 'Step Functions Standard, minimal',
      design: 'EventBridge rule -> StartExecution; RunTask (.sync) with Retry -> Succeed',
      perMillionRuns: Object.fromEntries(
        CASES.map((c) => [c.name, sf(stepFunctions(c.attempts, c.expect === 'FAILED').minimal, 0)]),
      ),
      notes: 'no concurrency limit, no run history or run events, no failure policy beyond Retry, no alert',
    },
    {
      name: 'Step Functions Standard, equivalent',
      design:
        'AcquireSlot (DynamoDB) -> RunTask (.sync) -> Choice on exit -> [Wait -> RunTask -> Choice] per retry -> ReleaseSlot -> RecordRun -> PublishEvent -> [SNS alert] -> end',
      perMillionRuns: Object.fromEntries(
        CASES.map((c) => {
          const x = stepFunctions(c.attempts, c.expect === 'FAILED');
          return [c.name, sf(x.equivalent, sfExtra(x))];
        }),
      ),
      notes: `${clean.equivalent} transitions for a clean run; ECS .sync polling and EventBridge rules for AWS events are not billed`,
    },
    {
      name: 'EventBridge -> ECS RunTask target',
      design: 'S3 Object Created rule with an ECS task target',
      perMillionRuns: Object.fromEntries(CASES.map((c) => [c.name, 0])),
      notes:
        'AWS service events and their rule targets are free; but no run record, no exactly-once (a duplicate event is a second task), no concurrency limit, no retry on exit codes, no alert',
    },
  ];
  return {
    pricesChecked: PRICES_CHECKED,
    prices: PRICES,
    cases,
    alternatives,
    cpuModel: {
      cpuMsPerInvocation: opts.cpuMsPerInvocation,
      lambdaSlowdown: round(LAMBDA_MB_PER_VCPU / 256, 2),
    },
    seconds: round((performance.now() - t0) / 1000, 1),
    checks,
  };
};
