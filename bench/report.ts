/**
 * The figures (each beside its target and the command that reproduces it) and BENCHMARKS.md, both
 * generated from the results; the hand-written findings between the `findings` markers of the
 * existing BENCHMARKS.md are kept.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BatchesResult } from './batches.ts';
import type { BurstResult } from './burst.ts';
import type { ColdResult } from './coldStart.ts';
import type { CostResult } from './cost.ts';
import type { FanOutBenchResult } from './fanOut.ts';
import { PRICES, PRICES_CHECKED } from './prices.ts';
import { ROOT } from './production.ts';
import { round } from './stats.ts';
import type { Check, WarmResult } from './warm.ts';

export interface Figure {
  id: string;
  figure: string;
  target: string;
  now: string;
  /** undefined: reported, no target. */
  met?: boolean;
  command: string;
}

export interface Results {
  schema: 1;
  mode: string;
  generatedAt: string;
  machine: { node: string; cpus: number; loadavg: number[] };
  sizes: Record<string, unknown>;
  packaging: {
    seconds: number;
    functions: { function: string; zipBytes: number; mjsBytes: number; memoryMB: number }[];
  };
  coldStart?: ColdResult;
  warm?: WarmResult;
  cost?: CostResult;
  burst?: BurstResult;
  batches?: BatchesResult;
  fanOut?: FanOutBenchResult;
  checks: Check[];
  figures: Figure[];
  seconds?: number;
}

const x = (v: number) => `${v.toFixed(2)}x`;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const range = (values: number[], fmt: (v: number) => string) => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? fmt(lo) : `${fmt(lo)}-${fmt(hi)}`;
};
const usd = (v: number) => `$${v.toFixed(2)}`;

export const figuresOf = (r: Results): Figure[] => {
  const out: Figure[] = [];
  const cold = r.coldStart?.functions ?? [];
  if (cold.length > 0) {
    const init = cold.map((f) => f.initRatio);
    const zip = cold.map((f) => f.zipRatio);
    out.push({
      id: 'cold.init',
      figure: `module init, each function / its floor (median of ${r.coldStart?.rounds} fresh Node 24 processes, interleaved)`,
      target: '<= 1.25x',
      now: range(init, x),
      met: Math.max(...init) <= 1.25,
      command: 'npm run bench -- --only cold',
    });
    out.push({
      id: 'cold.zip',
      figure: 'zipped bundle, each function / its floor (deflate level 9, same for both)',
      target: '<= 1.30x',
      now: range(zip, x),
      met: Math.max(...zip) <= 1.3,
      command: 'npm run bench -- --only cold',
    });
  }
  const warm = r.warm?.cases ?? [];
  if (warm.length > 0) {
    const ratios = warm.map((c) => c.cpuRatio);
    out.push({
      id: 'warm.cpu',
      figure: `warm CPU per event, full SDK stack against local endpoints / floor (${r.warm?.events} events a case)`,
      target: '<= 1.15x',
      now: range(ratios, x),
      met: Math.max(...ratios) <= 1.15,
      command: 'npm run bench -- --only warm',
    });
  }
  const clean = r.cost?.cases.find((c) => c.case === 'clean');
  if (clean) {
    out.push({
      id: 'cost.dynamodb.clean',
      figure: 'DynamoDB per clean run (upload -> launch -> RUNNING -> STOPPED exit 0, job with maxConcurrent)',
      target: '<= 10 requests, <= 12 WRU',
      now: `${clean.dynamodb.requests} requests, ${clean.dynamodb.wru} WRU (${clean.dynamodb.indexWru} of them index writes), ${clean.dynamodb.rru} RRU`,
      met: clean.dynamodb.requests <= 10 && clean.dynamodb.wru <= 12,
      command: 'npm run bench -- --only cost',
    });
    const share = (clean.perMillionRuns.dynamodb ?? 0) / clean.perMillionRuns.total;
    out.push({
      id: 'cost.clean',
      figure: `orchestration cost per 1M clean runs, Fargate excluded (us-east-1 list prices of ${PRICES_CHECKED})`,
      target: '<= $12',
      now: `${usd(clean.perMillionRuns.total)} (DynamoDB ${pct(share)})`,
      met: clean.perMillionRuns.total <= 12,
      command: 'npm run bench -- --only warm,cost',
    });
    const sf = r.cost?.alternatives.find((a) => a.name.includes('equivalent'));
    const sfMin = r.cost?.alternatives.find((a) => a.name.includes('minimal'));
    if (sf && sfMin)
      out.push({
        id: 'cost.stepFunctions',
        figure: 'Step Functions Standard for the same clean run (minimal / equivalent design, per 1M runs)',
        target: 'reported',
        now: `${usd(sfMin.perMillionRuns.clean ?? 0)} / ${usd(sf.perMillionRuns.clean ?? 0)}`,
        command: 'npm run bench -- --only cost',
      });
  }
  const quiet = r.burst?.cases.find((c) => c.case === 'quiet');
  const busy = r.burst?.cases.find((c) => c.case === 'busy');
  if (quiet) {
    out.push({
      id: 'burst.quiet.drain',
      figure: `burst drain, quiet account, vs the account's ideal (${quiet.uploads} uploads; 20 RunTask/s, burst 100)`,
      target: '<= 1.05x',
      now: `${x(quiet.drainRatio)} the ideal (${quiet.launchesPerSecond} launches/s; ideal: ${quiet.idealBoundBy})`,
      met: quiet.drainRatio <= 1.05,
      command: 'npm run bench -- --only burst',
    });
  }
  if (busy) {
    out.push({
      id: 'burst.busy.throttled',
      figure: `throttled RunTask calls when other callers use half the rate (${busy.uploads} uploads)`,
      target: '<= 5%, at >= 95% of the rate left over',
      now: `${pct(busy.throttledShare)} of our calls, at ${pct(busy.shareOfRateLeft)} of the rate left over`,
      met: busy.throttledShare <= 0.05 && busy.shareOfRateLeft >= 0.95,
      command: 'npm run bench -- --only burst',
    });
  }
  const cases = r.burst?.cases ?? [];
  if (cases.length > 0) {
    out.push({
      id: 'burst.lost',
      figure: 'runs lost / duplicate tasks in the bursts',
      target: '0 / 0',
      now: `${cases.reduce((a, c) => a + c.runsLost, 0)} / ${cases.reduce((a, c) => a + c.duplicateTasks, 0)}`,
      met: cases.every((c) => c.runsLost === 0 && c.duplicateTasks === 0),
      command: 'npm run bench -- --only burst',
    });
    out.push({
      id: 'burst.dynamodb',
      figure: 'DynamoDB requests per run over the whole life of the runs, in the bursts (sweeper included)',
      target: 'reported (clean run alone: see above)',
      now: cases
        .map((c) => `${c.case} ${c.dynamodbPerRun} (${c.launchMessagesPerRun} launch messages a run)`)
        .join('; '),
      command: 'npm run bench -- --only burst',
    });
  }
  const b = r.batches;
  if (b) {
    out.push({
      id: 'batches.runs',
      figure: `${b.uploads} uploads in an hour (${b.deliveries} deliveries, ${b.crashes} crashes), maxObjects ${b.maxObjects}: runs, objects lost, objects in two batches`,
      target: `${Math.ceil(b.uploads / b.maxObjects)} runs, 0 lost, 0 in two`,
      now: `${b.runs} runs, ${b.lost} lost, ${b.inTwoBatches} in two`,
      met: b.runs === Math.ceil(b.uploads / b.maxObjects) && b.lost === 0 && b.inTwoBatches === 0,
      command: 'npm run bench -- --only batches',
    });
    out.push({
      id: 'batches.units',
      figure: 'DynamoDB per batched object (requests, read and write units, closing included)',
      target: 'reported',
      now: `${Object.values(b.requestsPerObject)
        .reduce((a, n) => a + n, 0)
        .toFixed(2)} requests, ${b.rruPerObject} RRU, ${b.wruPerObject} WRU`,
      command: 'npm run bench -- --only batches',
    });
  }
  return out;
};

const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );
const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;

const coldSection = (c: ColdResult) => {
  const rows = c.functions.map((f) => [
    f.function,
    kb(f.zipBytes),
    kb(f.mjsBytes),
    `${kb(f.deflateBytes)} / ${kb(f.floor.deflateBytes)}`,
    x(f.zipRatio),
    `${f.initMs.median} ms (${f.initMs.p25}-${f.initMs.p75})`,
    `${f.floor.initMs.median} ms (${f.floor.initMs.p25}-${f.floor.initMs.p75})`,
    x(f.initRatio),
    `${f.rssMB.bundle} / ${f.rssMB.floor} MB`,
  ]);
  const detail = c.functions
    .map((f) => {
      const bytes = f.topBytes
        .slice(0, 10)
        .map((b) => `${b.name} ${kb(b.bytes)}${b.floorBytes ? ` (floor ${kb(b.floorBytes)})` : ' (not in floor)'}`)
        .join(', ');
      const init = f.topInit
        .slice(0, 8)
        .map((t) => `${t.name} ${t.ms} ms${t.floorMs ? ` (floor ${t.floorMs})` : ''}`)
        .join(', ');
      return `- **${f.function}**: bytes: ${bytes}.\n  Init CPU (profiled ${f.profiledInitMs.bundle} ms, floor ${f.profiledInitMs.floor} ms): ${init}.`;
    })
    .join('\n');
  return `## Cold start

${table(
  [
    'function',
    'osls zip',
    'bundle',
    'deflated bundle / floor',
    'zip ratio',
    'init (median, p25-p75)',
    'floor init',
    'init ratio',
    'RSS after init',
  ],
  rows,
)}

Where the bytes and the init time go (esbuild metafile of the rebuilt, byte-identical bundle; V8
CPU profile of the same code built unminified, self time by source module; "(bundle runtime)" is
parsing, compiling and running the bundle's top level outside any one module):

${detail}
`;
};

const warmSection = (w: WarmResult) => {
  const rows = w.cases.map((c) => [
    c.case,
    `${c.handler.cpuMs.mean} / ${c.handler.cpuMs.p50} / ${c.handler.cpuMs.p99}`,
    `${c.floor.cpuMs.mean} / ${c.floor.cpuMs.p50} / ${c.floor.cpuMs.p99}`,
    x(c.cpuRatio),
    `${c.handler.wallMs.p50} / ${c.handler.wallMs.p99}`,
    `${c.floor.wallMs.p50} / ${c.floor.wallMs.p99}`,
    Object.entries(c.requestsPerEvent)
      .map(([k, v]) => `${k.replace('dynamodb:', 'ddb:')} ${v}`)
      .join(', '),
  ]);
  const rss = Object.entries(w.peakRssMB)
    .map(([k, v]) => `${k} ${v.handler} MB (floor ${v.floor} MB)`)
    .join(', ');
  return `## Warm per event

${w.events} events a case, the first ${w.warmup} not counted (warm-up); CPU is the whole process's
(\`process.cpuUsage\`), wall is the invocation's.

${table(
  [
    'case',
    'CPU ms: mean / p50 / p99',
    'floor CPU ms',
    'CPU ratio',
    'wall ms p50 / p99',
    'floor wall ms p50 / p99',
    'requests per event',
  ],
  rows,
)}

Peak RSS of each function's process over all its events: ${rss}.
`;
};

const burstSection = (b: BurstResult) => {
  const rows = b.cases.map((c) => [
    c.case,
    `${c.uploads} (${c.deliveries} deliveries)`,
    c.foreignPerSecond,
    `${c.drainSeconds} s / ${c.idealSeconds} s = ${x(c.drainRatio)}`,
    `${c.launchesPerSecond}/s (${pct(c.shareOfRateLeft)} of the rate left)`,
    `${c.throttledCalls} of ${c.runTaskCalls} (${pct(c.throttledShare)})`,
    `${c.runsLost} / ${c.duplicateTasks}`,
    c.dynamodbPerRun,
    c.launchMessagesPerRun,
    `${c.virtualSeconds} s / ${c.wallSeconds} s`,
  ]);
  const detail = b.cases
    .map(
      (c) =>
        `- **${c.case}**: DynamoDB per run ${JSON.stringify(c.dynamodbPerRunByOp)}; Lambda invocations per run ${JSON.stringify(c.lambdaInvocationsPerRun)}; run events per run ${JSON.stringify(c.runEventsPerRun)}; table at the end ${JSON.stringify(c.table.byStatus)}.`,
    )
    .join('\n');
  return `## Burst

Tasks start ${b.task.startSeconds} s after RunTask and stop ${b.task.runSeconds} s later (exit 0).
Simulated latency per AWS call (ms): ${JSON.stringify(b.latencyMs)}; EventBridge delivery 500 ms.

${table(
  [
    'account',
    'uploads',
    'other callers (RunTask/s)',
    'drain / ideal',
    'our launch rate',
    'throttled calls',
    'lost / duplicate tasks',
    'DynamoDB requests per run',
    'launch messages per run',
    'simulated / real time',
  ],
  rows,
)}

${detail}
`;
};

const costSection = (c: CostResult) => {
  const rows = c.cases.map((k) => [
    k.case,
    k.attempts,
    `${k.dynamodb.requests} (${Object.entries(k.dynamodb.byOp)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')})`,
    k.dynamodb.rru,
    `${k.dynamodb.wru} (${k.dynamodb.indexWru} index)`,
    `${Object.entries(k.lambda.invocations)
      .map(([fn, n]) => `${fn} ${n}`)
      .join(', ')}; ${k.lambda.gbSeconds} GB-s`,
    `${k.sqsRequests.send} / ${k.sqsRequests.receive} / ${k.sqsRequests.delete}`,
    k.eventBridgeEvents,
    k.snsPublishes,
    Object.entries(k.perMillionRuns)
      .filter(([s]) => s !== 'total')
      .map(([s, v]) => `${s} ${usd(v)}`)
      .join(', '),
    `**${usd(k.perMillionRuns.total)}**`,
  ]);
  const alt = c.alternatives.map((a) => [
    a.name,
    a.design,
    Object.entries(a.perMillionRuns)
      .map(([k, v]) => `${k} ${usd(v)}`)
      .join(', '),
    a.notes,
  ]);
  const prices = Object.entries(PRICES).map(([k, p]) => [
    k,
    `$${p.usd.toPrecision(6)} per ${p.per}`,
    p.source,
    p.confirmedBy ?? '',
  ]);
  return `## Requests and cost per run

One upload of the fixture job from start to end, counted from the recorded calls (DynamoDB units
from the items before and after each write, index writes included). Lambda duration: the simulated
time of each invocation (its AWS calls' latencies) plus its CPU from the warm bench scaled by
${c.cpuModel.lambdaSlowdown} (256 MB is ${round(256 / 1769, 3)} of a vCPU).

${table(
  [
    'case',
    'attempts',
    'DynamoDB requests',
    'RRU',
    'WRU',
    'Lambda',
    'SQS send / receive / delete',
    'EventBridge events',
    'SNS',
    'per 1M runs',
    'total per 1M runs',
  ],
  rows,
)}

The same work another way (per 1M runs, clean / one retry / final failure):

${table(['design', 'states', 'per 1M runs', 'what it lacks'], alt)}

Prices (us-east-1 list prices beyond free tiers, checked ${c.pricesChecked}):

${table(['item', 'price', 'source', 'confirmed by'], prices)}
`;
};

const METHOD = `## How each figure is measured

- **Artifacts.** \`osls package --stage prod\` (production's settings: log level INFO) into
  \`bench/.work/package\`; every function's zip, its \`handler.mjs\`, its environment, memory,
  timeout and IAM actions are read from the packaged template, and the esbuild options from
  \`serverless-state.json\`. Rebuilding each handler with those options gives the deployed bundle
  byte for byte (a check), so its metafile describes what ships.
- **Floors.** For each function, a handler that imports only the SDK clients and commands for the
  actions its role allows (DynamoDB through the same document client), built with the same options.
- **Cold start.** A fresh Node 24 process (\`node_modules/.bin/node\`) imports the bundle with the
  function's Lambda environment (\`AWS_LAMBDA_FUNCTION_NAME\` set, as in Lambda); module init is the
  import's duration. Bundle and floor alternate, function by function, round by round; medians.
- **Warm.** Each function's bundle in its own Node 24 process, invoked event after event with a
  Lambda context; its SDK calls go over HTTP (\`AWS_ENDPOINT_URL_<SERVICE>\`) to a local endpoint that
  proxies DynamoDB to DynamoDB Local and answers ECS and EventBridge (JSON 1.1), SQS (JSON 1.0, as
  @aws-sdk/client-sqs 3.1169 sends it) and SNS (query) itself. The path is the clean one, end to end
  (uploads, their launch messages, RUNNING, STOPPED; alerts; schedule ticks; sweeps; manual
  triggers), and every result and the table's end state are checked. Right after each batch, the
  floor process sends the same recorded requests through bare clients and gets the recorded answers.
  The launcher's pacer is set out of the way (its 10 calls/s would be measured as waiting); the
  burst measures it.
- **Burst and cost.** The deployed bundles of onUpload, the launcher (one module instance per
  event-source concurrency slot), onTaskStateChange, sweeper and alert in one process on virtual
  time: the clock moves only when every request in flight waits for a simulated latency, so the
  real SDK retry (adaptive mode), pacers and timeouts run as they would. Around them: S3/EventBridge
  delivery (10% of uploads twice), the launch queue (delays, visibility timeout, redrive) and its
  event source mapping (batch size, window, maximum concurrency: from the template), tasks that
  start and stop on their own, the run-event bus to the alert function, the sweeper's schedule, and
  ECS's token buckets as documented (RunTask on Fargate 20 calls/s; task launches 100 burst, 20/s;
  cluster modify 100 burst, 40/s; a refused call takes no token). Logs and EMF metrics are turned
  down there (they make no AWS call; CPU is the warm bench's business).
- **Checks.** Every bench checks its own results (\`checks\` in results.json) and \`npm run bench\`
  exits 1 when one fails; a figure that misses its target is the baseline, not a failure.
`;

export const writeReport = (r: Results) => {
  const path = join(ROOT, 'BENCHMARKS.md');
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const kept =
    previous.match(/<!-- findings:start -->[\s\S]*?<!-- findings:end -->/)?.[0] ??
    '<!-- findings:start -->\n## Findings\n\n(written by hand after a run)\n<!-- findings:end -->';
  const figures = table(
    ['figure', 'target', 'now', 'met', 'reproduce'],
    r.figures.map((f) => [
      f.figure,
      f.target,
      f.now,
      f.met === undefined ? '-' : f.met ? 'yes' : 'no',
      `\`${f.command}\``,
    ]),
  );
  const failed = r.checks.filter((c) => !c.ok);
  const text = `# Benchmarks

Generated by \`npm run bench\` (mode \`${r.mode}\`, ${r.generatedAt}, ${r.seconds ?? '?'} s, Node ${r.machine.node},
${r.machine.cpus} CPUs shared, load ${r.machine.loadavg.join(' / ')}); the raw figures are in
\`bench/results.json\`. \`npm run bench -- --smoke\` runs everything small in about two minutes;
\`--full\` uses issue 12's sizes (10,000 events and uploads). Sizes of this run: \`${JSON.stringify(r.sizes)}\`.

${figures}

${r.checks.length - failed.length} of ${r.checks.length} checks passed${failed.length ? `; failed: ${failed.map((c) => c.name).join('; ')}` : ''}.

${kept}

${METHOD}
${r.coldStart ? coldSection(r.coldStart) : ''}
${r.warm ? warmSection(r.warm) : ''}
${r.cost ? costSection(r.cost) : ''}
${r.burst ? burstSection(r.burst) : ''}`;
  writeFileSync(path, `${text.trim()}\n`);
};
