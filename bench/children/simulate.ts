/**
 * The simulation process: installs virtual time before anything that captures timers is loaded,
 * makes Math.random repeatable, then runs one scenario of the world (bench/sim/world.ts) and writes
 * its result as JSON. Usage: node simulate.mjs <config.json> <result.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { installVirtualTime } from '../sim/virtualTime.ts';
import { runWorld, type SimConfig } from '../sim/world.ts';

const [configPath, resultPath] = process.argv.slice(2) as [string, string];
const config = JSON.parse(readFileSync(configPath, 'utf8')) as SimConfig;
// Real timers, captured before virtual time replaces them: a progress line every 10 s of wall time
// (BENCH_SIM_PROGRESS), to see a simulation whose clock stalls.
const realSetInterval = setInterval;
const vt = installVirtualTime(config.startMs);
if (process.env.BENCH_SIM_PROGRESS)
  realSetInterval(() => {
    const s = vt.stats();
    process.stderr.write(
      `[${config.scenario.name} wall] t=${((vt.now() - config.startMs) / 1000).toFixed(1)}s timers=${vt.pending()} turns=${s.turns} fired=${s.fired} busyWaits=${s.busyWaits}\n`,
    );
  }, 10_000).unref();
// mulberry32: the same jitter (SDK retries, launch backoff) every run.
let seed = 42;
Math.random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};
const result = await runWorld(vt, config);
writeFileSync(resultPath, JSON.stringify(result));
process.exit(0);
