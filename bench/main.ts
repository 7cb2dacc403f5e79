/**
 * `npm run bench`: every benchmark, checked, written to bench/results.json and BENCHMARKS.md.
 *
 *   npm run bench                 the standard sizes (about 10 minutes here)
 *   npm run bench -- --smoke      small sizes: the benches still work and still check (about a
 *                                 minute; reuses a package in bench/.work; writes
 *                                 bench/results.smoke.json, leaves BENCHMARKS.md alone)
 *   npm run bench -- --full       the sizes of issue 12 (10,000 events and uploads): hours here
 *   npm run bench -- --only cold,warm,cost,burst   some of them (results.json gets only those)
 *   npm run bench -- --reuse-package               skip `osls package` when bench/.work has one
 *   npm run bench -- --uploads 2000                the bursts with another number of uploads
 *   npm run bench -- --only batches                40,000 uploads into batches of 500 (issue 14; no
 *                                                  package needed; --batch-uploads N for another size)
 *   npm run bench -- --only fanout                 a fan-out of 10,000 children (issue 14; 200 in a smoke run)
 *
 * Exits 1 when any check fails (a bench that measured the wrong path, a run lost, a duplicate
 * task, a floor that sent other requests...). A figure that misses its target is not a failure:
 * it is the baseline that phase 2 improves on; BENCHMARKS.md says which are met.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { batchesBench } from './batches.ts';
import { buildFunction, type FunctionBuilds } from './build/bundles.ts';
import { packageService } from './build/package.ts';
import { burstBench } from './burst.ts';
import { coldStartBench } from './coldStart.ts';
import { costBench } from './cost.ts';
import { fanOutBench } from './fanOut.ts';
import { checkFixtures, ROOT, startBenchDynamo } from './production.ts';
import { figuresOf, type Results, writeReport } from './report.ts';
import { round } from './stats.ts';
import { type Check, warmBench } from './warm.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const only = (() => {
  const i = args.indexOf('--only');
  return i >= 0 ? new Set((args[i + 1] ?? '').split(',')) : undefined;
})();
const wants = (part: string) => !only || only.has(part);
for (const a of args)
  if (
    a.startsWith('--') &&
    !['--smoke', '--full', '--only', '--reuse-package', '--uploads', '--batch-uploads'].includes(a)
  )
    throw new Error(`unknown option ${a} (see bench/main.ts)`);
const uploadsArg = (() => {
  const i = args.indexOf('--uploads');
  if (i < 0) return undefined;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--uploads takes a whole number of uploads, got '${args[i + 1]}'`);
  return n;
})();

const batchUploads = (() => {
  const i = args.indexOf('--batch-uploads');
  if (i < 0) return undefined;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--batch-uploads takes a whole number, got '${args[i + 1]}'`);
  return n;
})();

const mode = flag('smoke') ? 'smoke' : flag('full') ? 'full' : 'standard';
const SIZES = {
  smoke: { rounds: 2, coldFunctions: ['onUpload'], profileRuns: 1, warm: 10, warmup: 2, quiet: 20, busy: 20 },
  standard: { rounds: 25, coldFunctions: undefined, profileRuns: 3, warm: 200, warmup: 20, quiet: 400, busy: 400 },
  full: {
    rounds: 25,
    coldFunctions: undefined,
    profileRuns: 5,
    warm: 10_000,
    warmup: 500,
    quiet: 10_000,
    busy: 10_000,
  },
}[mode] as {
  rounds: number;
  coldFunctions?: string[];
  profileRuns: number;
  warm: number;
  warmup: number;
  quiet: number;
  busy: number;
};

const t0 = performance.now();
const checks: Check[] = [];
const log = (s: string) => process.stdout.write(`${s}\n`);
const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  const s = performance.now();
  log(`── ${name}`);
  const out = await fn();
  log(`   ${name}: ${((performance.now() - s) / 1000).toFixed(1)} s`);
  return out;
};

const problems = await checkFixtures();
checks.push({
  name: 'fixtures: jobs.ts still has the jobs the benches drive',
  ok: problems.length === 0,
  detail: problems.join('; '),
});
if (problems.length > 0) {
  for (const p of problems) log(`fixture: ${p}`);
  process.exit(1);
}

const needsDynamo = wants('warm') || wants('cost') || wants('burst') || wants('batches') || wants('fanout');
/** The batches and fan-out benches run the use cases themselves: they need no package. */
const needsPackage = wants('cold') || wants('warm') || wants('cost') || wants('burst');
// DynamoDB Local's JVM starts while the package is built (it is idle by the time cold starts run).
// On a loaded machine it may miss its 30 s start window while esbuild and osls hold the cores: then
// it starts again once they are done.
const dynamo = needsDynamo ? startBenchDynamo().catch(() => undefined) : undefined;
// A smoke run reuses a package bench/.work already has (CI starts without one).
const pkg = needsPackage
  ? await step('osls package', async () => packageService({ reuse: flag('reuse-package') || mode === 'smoke' }))
  : // No function is built or measured from it: packaging figures say 0 s and no function.
    ({ seconds: 0, functions: [] } as unknown as Awaited<ReturnType<typeof packageService>>);
const builds: Record<string, FunctionBuilds> = {};
await step('bundles, floors, metafiles', async () => {
  await Promise.all(
    pkg.functions.map(async (f) => {
      const cold = wants('cold') && (!SIZES.coldFunctions || SIZES.coldFunctions.includes(f.key));
      // A smoke run rebuilds (metafile, identity check) only what its cold start measures.
      builds[f.key] = await buildFunction(pkg, f, { rebuilt: cold || mode !== 'smoke', readable: cold });
    }),
  );
});

const results: Results = {
  schema: 1,
  mode,
  generatedAt: new Date().toISOString(),
  machine: { node: process.versions.node, cpus: cpus().length, loadavg: loadavg().map((l) => round(l, 2)) },
  sizes: SIZES,
  packaging: {
    seconds: round(pkg.seconds, 1),
    functions: pkg.functions.map((f) => ({
      function: f.key,
      zipBytes: f.zipBytes,
      mjsBytes: f.mjsBytes,
      memoryMB: f.memoryMB,
    })),
  },
  checks,
  figures: [],
};

const out = join(ROOT, 'bench', mode === 'smoke' ? 'results.smoke.json' : 'results.json');
/** Written after every part, so a part that crashes or is stopped does not lose the ones before. */
const save = () => {
  results.figures = figuresOf(results);
  results.seconds = round((performance.now() - t0) / 1000, 1);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
};

if (wants('cold')) {
  results.coldStart = await step('cold start', () =>
    coldStartBench({
      pkg,
      builds,
      rounds: SIZES.rounds,
      profileRuns: SIZES.profileRuns,
      ...(SIZES.coldFunctions ? { functions: SIZES.coldFunctions } : {}),
    }),
  );
  checks.push(...results.coldStart.checks);
  save();
}

const cpuOf = (warm: Results['warm']) => {
  // The CPU each invocation spends, from the warm bench: added to the simulated durations.
  const cpu: Record<string, number> = {};
  for (const c of warm?.cases ?? []) {
    const prev = cpu[c.function];
    cpu[c.function] = prev === undefined ? c.handler.cpuMs.mean : (prev + c.handler.cpuMs.mean) / 2;
  }
  return cpu;
};

if (dynamo) {
  const ddb = await step('DynamoDB Local', async () => (await dynamo) ?? startBenchDynamo());
  try {
    const warm = async () => {
      if (!wants('warm')) return;
      results.warm = await step('warm per event', () =>
        warmBench({ pkg, builds, ddb, events: SIZES.warm, warmup: SIZES.warmup }),
      );
      checks.push(...results.warm.checks);
      save();
    };
    const simulated = async () => {
      if (wants('cost')) {
        results.cost = await step('requests and cost per run', () =>
          costBench({ pkg, ddb, cpuMsPerInvocation: cpuOf(results.warm) }),
        );
        checks.push(...results.cost.checks);
        save();
      }
      if (wants('burst')) {
        results.burst = await step('burst', () =>
          burstBench({
            pkg,
            ddb,
            quietUploads: uploadsArg ?? SIZES.quiet,
            busyUploads: uploadsArg ?? SIZES.busy,
            timeoutSeconds: mode === 'full' ? 6 * 3600 : 1200,
          }),
        );
        checks.push(...results.burst.checks);
      }
    };
    const batches = async () => {
      if (!wants('batches')) return;
      results.batches = await step('batches of uploads', () =>
        batchesBench({
          ddb,
          uploads: batchUploads ?? (mode === 'smoke' ? 2000 : 40_000),
          maxObjects: mode === 'smoke' ? 50 : 500,
        }),
      );
      checks.push(...results.batches.checks);
      save();
    };
    // A smoke run checks that the benches work, not their figures: it runs them side by side. A
    // measuring run keeps them apart (the warm bench measures CPU and latency).
    if (mode === 'smoke') await Promise.all([warm(), simulated()]);
    else {
      await warm();
      await simulated();
    }
    await batches();
    if (wants('fanout')) {
      results.fanOut = await step('fan-out', () => fanOutBench({ ddb, children: mode === 'smoke' ? 200 : 10_000 }));
      checks.push(...results.fanOut.checks);
      save();
    }
  } finally {
    await ddb.stop();
  }
}

save();
const failed = checks.filter((c) => !c.ok);
if (mode !== 'smoke' && !only) writeReport(results);

log('');
for (const f of results.figures)
  log(`${f.met === undefined ? ' ' : f.met ? '✔' : '✘'} ${f.figure}: ${f.now} (target ${f.target})`);
log('');
for (const c of failed) log(`CHECK FAILED: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
log(`${checks.length - failed.length} checks passed, ${failed.length} failed; ${results.seconds} s; ${out}`);
process.exitCode = failed.length > 0 ? 1 : 0;
