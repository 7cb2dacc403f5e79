/**
 * Cold start per function: bytes (osls zip; deflated bundle beside the floor's, deflated the same
 * way) and module init of the deployed bundle in fresh Node 24 processes, interleaved with the
 * function's floor (built in the same run with the same esbuild options), medians of `rounds`.
 * Where the bytes go: the esbuild metafile of the rebuilt (byte-identical) bundle. Where the init
 * time goes: V8 CPU profiles of the same code built without minification, attributed to the
 * source module esbuild names before each module's code.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type BuiltBundle, compileChild, contributorOf, contributors, type FunctionBuilds } from './build/bundles.ts';
import type { Packaged, PackagedFunction } from './build/package.ts';
import { NODE, WORK } from './production.ts';
import { median, percentile, round } from './stats.ts';
import { type Check, lambdaEnvironment } from './warm.ts';

export interface InitSample {
  bootMs: number;
  initMs: number;
  rssBytes: number;
}

export interface ColdFunction {
  function: string;
  zipBytes: number;
  mjsBytes: number;
  deflateBytes: number;
  floor: { mjsBytes: number; deflateBytes: number; initMs: { median: number; p25: number; p75: number } };
  initMs: { median: number; p25: number; p75: number };
  /** Node's own start before the import (the same for both: a sanity check). */
  bootMs: { bundle: number; floor: number };
  rssMB: { bundle: number; floor: number };
  initRatio: number;
  zipRatio: number;
  /** Bytes in the deployed bundle by contributor, and what is not in the floor. */
  topBytes: { name: string; bytes: number; floorBytes: number }[];
  /** Init CPU self time by contributor (profiled), bundle and floor, milliseconds per cold start. */
  topInit: { name: string; ms: number; floorMs: number }[];
  profiledInitMs: { bundle: number; floor: number };
}

export interface ColdResult {
  rounds: number;
  functions: ColdFunction[];
  seconds: number;
  checks: Check[];
}

const runInit = (script: string, bundle: string, env: Record<string, string>, extraArgs: string[] = []): InitSample => {
  const out = spawnSync(NODE, [...extraArgs, script, bundle], { env, encoding: 'utf8', timeout: 60_000 });
  if (out.status !== 0) throw new Error(`init of ${bundle} failed (${out.status}): ${out.stderr.slice(0, 500)}`);
  const line = out.stdout.trim().split('\n').pop() as string;
  return JSON.parse(line) as InitSample;
};

const quartiles = (v: number[]) => ({
  median: round(median(v), 2),
  p25: round(percentile(v, 25), 2),
  p75: round(percentile(v, 75), 2),
});

/** Module start lines of a non-minified esbuild bundle (`// path` before each module). */
const moduleMap = (bundle: BuiltBundle): { line: number; name: string }[] => {
  const lines = readFileSync(bundle.path, 'utf8').split('\n');
  const out: { line: number; name: string }[] = [{ line: 0, name: '(bundle runtime)' }];
  lines.forEach((l, i) => {
    const m = l.match(/^\/\/ ((?:node_modules|lib|functions|bench)\/\S+|jobs\.ts)$/);
    if (m) out.push({ line: i, name: contributorOf(m[1] as string) });
  });
  return out;
};

interface CpuProfile {
  nodes: { id: number; callFrame: { url: string; lineNumber: number; functionName: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (ms) by contributor in one profile: a sample counts for the innermost bundle frame on its stack. */
const attribute = (profile: CpuProfile, bundlePath: string, modules: { line: number; name: string }[]) => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const url = `file://${bundlePath}`;
  const moduleOf = (line: number) => {
    let lo = 0;
    let hi = modules.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((modules[mid] as { line: number }).line <= line) lo = mid;
      else hi = mid - 1;
    }
    return (modules[lo] as { name: string }).name;
  };
  const cache = new Map<number, string | undefined>();
  const owner = (id: number): string | undefined => {
    if (cache.has(id)) return cache.get(id);
    let cur: number | undefined = id;
    let found: string | undefined;
    while (cur !== undefined) {
      const n = byId.get(cur);
      if (n?.callFrame.url === url) {
        found = moduleOf(n.callFrame.lineNumber);
        break;
      }
      cur = parent.get(cur);
    }
    cache.set(id, found);
    return found;
  };
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = owner(id);
    if (name) out.set(name, (out.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
};

const profileInit = (
  script: string,
  bundle: BuiltBundle,
  env: Record<string, string>,
  runs: number,
  dir: string,
): { byContributor: Map<string, number>; totalMs: number } => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < runs; i++)
    runInit(script, bundle.path, env, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir]);
  const modules = moduleMap(bundle);
  const total = new Map<string, number>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    for (const [k, v] of attribute(p, bundle.path, modules)) total.set(k, (total.get(k) ?? 0) + v / runs);
  }
  return { byContributor: total, totalMs: [...total.values()].reduce((a, b) => a + b, 0) };
};

export const coldStartBench = async (opts: {
  pkg: Packaged;
  builds: Record<string, FunctionBuilds>;
  rounds: number;
  profileRuns: number;
  functions?: string[];
}): Promise<ColdResult> => {
  const t0 = performance.now();
  const checks: Check[] = [];
  const script = await compileChild('init');
  const fns = opts.pkg.functions.filter((f) => !opts.functions || opts.functions.includes(f.key));
  const env = (fn: PackagedFunction) => lambdaEnvironment(fn, {}, 'http://127.0.0.1:9');
  const samples = new Map<string, { bundle: InitSample[]; floor: InitSample[] }>(
    fns.map((f) => [f.key, { bundle: [], floor: [] }]),
  );
  for (const fn of fns) {
    const b = opts.builds[fn.key] as FunctionBuilds;
    checks.push({
      name: `cold: rebuilding ${fn.key} with the packaged esbuild options gives the deployed bundle`,
      ok: b.identical === true,
      ...(b.identical ? {} : { detail: `${b.rebuilt?.bytes} vs ${fn.mjsBytes} bytes` }),
    });
  }
  // Interleaved: every round visits every function, bundle and floor in alternating order.
  for (let r = 0; r < opts.rounds; r++) {
    const order = r % 2 === 0 ? fns : [...fns].reverse();
    for (const fn of order) {
      const s = samples.get(fn.key) as { bundle: InitSample[]; floor: InitSample[] };
      const floor = (opts.builds[fn.key] as FunctionBuilds).floor.path;
      const pair: ['bundle' | 'floor', string][] =
        r % 2 === 0
          ? [
              ['bundle', fn.mjsPath],
              ['floor', floor],
            ]
          : [
              ['floor', floor],
              ['bundle', fn.mjsPath],
            ];
      for (const [which, path] of pair) s[which].push(runInit(script, path, env(fn)));
    }
  }
  const functions: ColdFunction[] = fns.map((fn) => {
    const b = opts.builds[fn.key] as FunctionBuilds;
    if (!b.rebuilt) throw new Error(`${fn.key}: not rebuilt with a metafile`);
    const s = samples.get(fn.key) as { bundle: InitSample[]; floor: InitSample[] };
    const init = quartiles(s.bundle.map((x) => x.initMs));
    const floorInit = quartiles(s.floor.map((x) => x.initMs));
    const floorBytes = new Map(contributors(b.floor.metafile).map((c) => [c.name, c.bytes]));
    const rebuilt = b.rebuilt;
    const topBytes = contributors(rebuilt.metafile)
      .slice(0, 14)
      .map((c) => ({ ...c, floorBytes: floorBytes.get(c.name) ?? 0 }));
    if (!b.readable || !b.floorReadable) throw new Error(`${fn.key}: no readable build to profile`);
    const prof = profileInit(script, b.readable, env(fn), opts.profileRuns, join(WORK, 'profiles', fn.key, 'bundle'));
    const floorProf = profileInit(
      script,
      b.floorReadable,
      env(fn),
      opts.profileRuns,
      join(WORK, 'profiles', fn.key, 'floor'),
    );
    const topInit = [...prof.byContributor.entries()]
      .sort((a, c) => c[1] - a[1])
      .slice(0, 12)
      .map(([name, ms]) => ({ name, ms: round(ms, 1), floorMs: round(floorProf.byContributor.get(name) ?? 0, 1) }));
    return {
      function: fn.key,
      zipBytes: fn.zipBytes,
      mjsBytes: fn.mjsBytes,
      deflateBytes: rebuilt.deflateBytes,
      floor: { mjsBytes: b.floor.bytes, deflateBytes: b.floor.deflateBytes, initMs: floorInit },
      initMs: init,
      bootMs: {
        bundle: round(median(s.bundle.map((x) => x.bootMs)), 1),
        floor: round(median(s.floor.map((x) => x.bootMs)), 1),
      },
      rssMB: {
        bundle: round(median(s.bundle.map((x) => x.rssBytes)) / 1048576, 1),
        floor: round(median(s.floor.map((x) => x.rssBytes)) / 1048576, 1),
      },
      initRatio: round(init.median / floorInit.median, 3),
      zipRatio: round(rebuilt.deflateBytes / b.floor.deflateBytes, 3),
      topBytes,
      topInit,
      profiledInitMs: { bundle: round(prof.totalMs, 1), floor: round(floorProf.totalMs, 1) },
    };
  });
  return { rounds: opts.rounds, functions, seconds: round((performance.now() - t0) / 1000, 1), checks };
};
