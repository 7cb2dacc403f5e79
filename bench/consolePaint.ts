/**
 * First paint of the console's pages in headless Chromium (`npx tsx bench/consolePaint.ts [runs]`):
 * the local flow with the demo played (what `npm start` leaves), the console over it as
 * `longshore console` serves it (the running flow's backend), then the same with `runs` more runs
 * (default 10,000) written into the store, spread over the last 7 days across the catalog's jobs.
 * Prints, per page, its first load and the median of the 4 loads after it: the server's answer
 * (responseEnd) and the first contentful paint, from the browser's own timing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { flowBackend } from '../lib/cli/backends.ts';
import { startConsole } from '../lib/cli/console/server.ts';
import { newRun } from '../lib/domain/newRun.ts';
import type { Run, RunStatus } from '../lib/domain/run.ts';
import { demoPlan, playDemo } from '../lib/local/demo.ts';
import { type FlowInfo, findFlow, serveFlow } from '../lib/local/flowServer.ts';
import { LocalRuntime } from '../lib/local/LocalRuntime.ts';
import { scriptFrom } from '../lib/local/taskScript.ts';

const EXTRA = Number(process.argv[2] ?? 10_000);
const LOADS = 5;
const PAGES = ['/runs', '/runs?status=FAILED', '/jobs', '/jobs?window=7d', '/explain'];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const measure = async (page: Page, origin: string, path: string) => {
  const paints: number[] = [];
  const answers: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const response = await page.goto(`${origin}${path}`, { waitUntil: 'load' });
    // A figure of an error page is no figure: each load must be the page itself.
    if (!response?.ok()) throw new Error(`${path}: HTTP ${response?.status() ?? 'no answer'}`);
    if ((await page.locator('main h1').count()) === 0) throw new Error(`${path}: the page has no heading`);
    // The paint entry may come after `load`: wait for it (buffered), up to 5 s.
    const t = (await page.evaluate(`new Promise((done) => {
      const nav = performance.getEntriesByType('navigation')[0];
      const answer = nav.responseEnd - nav.startTime;
      const give = (e) => done({ answer, paint: e ? e.startTime : -1 });
      new PerformanceObserver((list) => {
        const fcp = list.getEntriesByName('first-contentful-paint')[0];
        if (fcp) give(fcp);
      }).observe({ type: 'paint', buffered: true });
      setTimeout(() => give(undefined), 5000);
    })`)) as { answer: number; paint: number };
    answers.push(t.answer);
    paints.push(t.paint);
  }
  // The first load apart: the console keeps the final runs it has read (FinalRunCache), so a page
  // loaded again reads only what may have changed.
  return {
    path,
    first: { answerMs: Math.round(answers[0] as number), firstPaintMs: Math.round(paints[0] as number) },
    again: { answerMs: Math.round(median(answers.slice(1))), firstPaintMs: Math.round(median(paints.slice(1))) },
  };
};

/** Finished runs (a few failed, a few still queued), newest within the last 7 days. */
const syntheticRuns = (rt: LocalRuntime, count: number, now: Date): Run[] => {
  const jobs = rt.catalog().jobs;
  return Array.from({ length: count }, (_, i) => {
    const job = jobs[i % jobs.length] as (typeof jobs)[number];
    const created = new Date(now.getTime() - Math.floor((i / count) * 7 * 86400_000) - 60_000);
    const status: RunStatus = i % 500 === 0 ? 'QUEUED' : i % 12 === 0 ? 'FAILED' : 'SUCCEEDED';
    const run = newRun(
      { job, trigger: { type: 's3', bucket: 'acme-bench', key: `incoming/bench-${String(i).padStart(5, '0')}.csv` } },
      created,
    );
    return {
      ...run,
      status,
      ...(status === 'QUEUED'
        ? {}
        : {
            finishedAt: new Date(created.getTime() + 30_000 + (i % 90) * 1000).toISOString(),
            outcome: status === 'FAILED' ? { exitCode: 1, action: 'fail', rule: 'app-failure' } : { exitCode: 0 },
          }),
    };
  });
};

const main = async (): Promise<void> => {
  const state = mkdtempSync(join(tmpdir(), 'longshore-console-bench-'));
  const plan = demoPlan(new Date());
  const rt = await LocalRuntime.start({
    mode: 'flow',
    stateDir: state,
    persistent: false,
    script: scriptFrom(plan.script),
  });
  await playDemo(rt, plan, () => {});
  await rt.idle(30_000);
  const stopServer = await serveFlow(rt);
  const info = (await findFlow(state)) as FlowInfo;
  // A console per phase: the runs written below are dated over the last 7 days, as no run is, so
  // the first console's memory of what it read (FinalRunCache) would rightly not look for them.
  const open = () =>
    startConsole({ backend: flowBackend(info), catalog: rt.catalog(), stage: 'dev', port: 0, requester: 'bench' });
  let running = await open();
  const browser = await chromium.launch({
    executablePath: process.env.LONGSHORE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  let page = await context.newPage();
  await page.goto(running.url);
  const report: Record<string, unknown> = {};
  try {
    report.demo = [];
    for (const p of PAGES) (report.demo as unknown[]).push(await measure(page, running.origin, p));
    const started = Date.now();
    const runs = syntheticRuns(rt, EXTRA, new Date());
    for (let i = 0; i < runs.length; i += 50)
      await Promise.all(runs.slice(i, i + 50).map((r) => rt.store.createRun(r)));
    report.written = { runs: EXTRA, seconds: Math.round((Date.now() - started) / 100) / 10 };
    await running.close();
    running = await open();
    page = await context.newPage();
    await page.goto(running.url);
    const key = `with${EXTRA}`;
    report[key] = [];
    for (const p of PAGES) (report[key] as unknown[]).push(await measure(page, running.origin, p));
  } finally {
    await browser.close();
    await running.close();
    await stopServer();
    await rt.stop();
    await LocalRuntime.shutdownEngine();
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
};

await main();
