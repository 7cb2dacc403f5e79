/**
 * The console in a real browser (headless Chromium: Debian's `chromium`, driven by playwright-core),
 * against `longshore console` as a user starts it (the CLI in a process of its own) on a running
 * local flow (`npm start`: the flow, its control port, its bucket folders watched). Each page is
 * screenshotted into artifacts/screenshots (git-ignored; CI keeps it as an artifact).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFlow } from '../../lib/local/flowServer.ts';
import { LocalRuntime } from '../../lib/local/LocalRuntime.ts';
import { scriptFrom } from '../../lib/local/taskScript.ts';
import { watchFlow } from '../../lib/local/watch.ts';

const REPO = resolve(import.meta.dirname, '..', '..');
const SHOTS = join(REPO, 'artifacts', 'screenshots');
/** Debian's package (`apt-get install chromium`, as .ci/run does), or another one named here. */
const CHROMIUM = process.env.LONGSHORE_CHROMIUM ?? '/usr/bin/chromium';

const state = mkdtempSync(join(tmpdir(), 'longshore-console-'));
let rt: LocalRuntime;
let stopServer: () => Promise<void>;
let stopWatch: () => void;
let cli: ChildProcess;
let url: string;
let origin: string;
let browser: Browser;
let page: Page;

/** Starts `longshore console --port 0 --json` and reads the URL it prints. */
const startConsoleCli = (): Promise<{ child: ChildProcess; url: string }> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, ['bin/longshore.mjs', '--state', state, 'console', '--port', '0', '--json'], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (c) => {
      out += String(c);
      const m = /"url":\s*"([^"]+)"/.exec(out);
      if (m) done({ child, url: m[1] as string });
    });
    child.stderr?.on('data', (c) => {
      err += String(c);
    });
    child.on('error', fail);
    child.on('close', (code) => fail(new Error(`longshore console exited ${code}: ${out}${err}`)));
  });

/** A raw request, with the headers a hostile page or client would send. */
const raw = (opts: {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}): Promise<{ status: number; body: string }> =>
  new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: new URL(origin).port,
        path: opts.path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
      },
      (res) => {
        let data = '';
        res.on('data', (c) => {
          data += String(c);
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', fail);
    req.end(opts.body);
  });

const drop = (bucket: string, key: string, content: string): void => {
  const file = join(rt.bucketsDir, bucket, key);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, content);
};

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  rt = await LocalRuntime.start({
    mode: 'flow',
    stateDir: state,
    persistent: false,
    pace: { startMs: 20, stepMs: 40 },
    script: scriptFrom([
      { job: 'thumbnails', key: 'broken', attempts: [{ kind: 'pull-failure' }, { kind: 'pull-failure' }] },
      { job: 'thumbnails', key: 'hang', attempts: [{ kind: 'hang' }] },
    ]),
  });
  stopServer = await serveFlow(rt);
  stopWatch = watchFlow(rt, { upload: () => {}, tick: () => {}, unmatched: () => {}, delivered: () => {} });
  ({ child: cli, url } = await startConsoleCli());
  origin = new URL(url).origin;
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} missing: apt-get install chromium (.ci/run does), or set LONGSHORE_CHROMIUM`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  cli?.kill('SIGINT');
  stopWatch?.();
  await stopServer?.();
  await rt?.stop();
  await LocalRuntime.shutdownEngine();
});

describe('Console: in a browser, on the local flow', () => {
  it('updates the runs page when a file is dropped into a bucket folder', async () => {
    // Prepare
    await page.goto(`${origin}/runs`);
    await expect.poll(() => page.locator('#runs-live').count()).toBe(1);

    // Act
    drop('acme-media-uploads', 'uploads/console-dropped.jpg', 'jpeg');

    // Assess
    const row = page.locator('tr[data-run]', { hasText: 'uploads/console-dropped.jpg' });
    await row.waitFor({ timeout: 20_000 });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('SUCCEEDED');
    await shot('runs');
  });

  it("shows a failed run's decision, rule and diagnosis, and its alert", async () => {
    // Prepare
    drop('acme-media-uploads', 'uploads/broken-image.jpg', 'jpeg');
    await page.goto(`${origin}/runs?status=FAILED`);
    const link = page.locator('tr[data-run] a', { hasText: 'thumbnails-' }).first();
    await expect
      .poll(
        async () => {
          await page.goto(`${origin}/runs?status=FAILED`);
          return link.count();
        },
        { timeout: 20_000 },
      )
      .toBe(1);

    // Act
    await link.click();

    // Assess
    const decision = page.locator('.decision').first();
    await expect.poll(() => decision.textContent()).toContain('Decision: fail');
    expect(await decision.textContent()).toContain('image-not-pullable');
    expect(await decision.textContent()).toContain('the image could not be pulled');
    expect(await page.locator('dd', { hasText: 'Run Failed' }).count()).toBe(1);
    await shot('run-failed');
  });

  it('retries a failed run after a confirm, and links the new run', async () => {
    // Prepare
    await page.goto(`${origin}/runs?status=FAILED&trigger=uploads/broken`);
    await page.locator('tr[data-run] a').first().click();
    const failedId = (await page.locator('h1 code').textContent()) ?? '';

    // Act
    await page.locator('button[data-action="retry"]').click();
    await shot('run-retry-confirm');
    await page.locator('dialog#confirm button[value="ok"]').click();

    // Assess
    const created = page.locator('#new-run');
    await created.waitFor();
    const newId = (await created.textContent()) ?? '';
    expect(newId).not.toBe(failedId);
    expect(await page.locator('#action-result').textContent()).toContain(`a retry of ${failedId}`);
    await created.click();
    expect(await page.locator('dd a', { hasText: failedId }).count()).toBe(1);
  });

  it("quotes a failed run's last log lines, and retries it with more memory as a new run of that size", async () => {
    // Prepare: a partner file without its id column makes csv-ingest exit 65 after printing its header.
    drop('acme-partner-drop', 'incoming/console-no-id.csv', 'account,amount\nACME-1,2.50\n');
    const link = page.locator('tr[data-run] a', { hasText: 'csv-ingest-' }).first();
    await expect
      .poll(
        async () => {
          await page.goto(`${origin}/runs?status=FAILED&trigger=incoming/console-no-id`);
          return link.count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    await link.click();
    const failedId = (await page.locator('h1 code').textContent()) ?? '';

    // Act
    const excerpt = (await page.locator('figure.log-excerpt').textContent()) ?? '';
    const logsCommands = await page.locator('dd code', { hasText: `runs logs ${failedId} --attempt 1` }).count();
    await shot('run-failed-log-lines');
    await page.locator('button[data-action="retry"]').click();
    await page.locator('dialog#confirm input[name="memory"]').fill('4096');
    await shot('run-retry-changes');
    await page.locator('dialog#confirm button[value="ok"]').click();
    const created = page.locator('#new-run');
    await created.waitFor();
    const newId = (await created.textContent()) ?? '';
    await created.click();

    // Assess
    expect(excerpt).toContain("of container 'main'");
    expect(excerpt).toContain('csv-ingest: header account,amount');
    expect(excerpt).toContain("has no 'id' column");
    expect(logsCommands).toBe(1);
    expect(newId).not.toBe(failedId);
    expect(await page.locator('dd a', { hasText: failedId }).count()).toBe(1);
    expect(
      await page.locator('dt', { hasText: 'overrides' }).locator('xpath=following-sibling::dd[1]').textContent(),
    ).toContain('4 GB');
  });

  it('refuses a retry whose changes the job does not allow, in the words of the policy, and creates no run', async () => {
    // Prepare
    await page.goto(`${origin}/runs?status=FAILED&trigger=incoming/console-no-id`);
    await page.locator('tr[data-run] a').first().click();

    // Act
    await page.locator('button[data-action="retry"]').click();
    await page.locator('dialog#confirm textarea[name="environment"]').fill('NODE_OPTIONS=--require /tmp/x.js');
    await page.locator('dialog#confirm button[value="ok"]').click();

    // Assess
    const answer = page.locator('#action-result .error');
    await answer.waitFor();
    expect(await answer.textContent()).toMatch(/retry refused: .*NODE_OPTIONS/);
    expect(await page.locator('#new-run').count()).toBe(0);
  });

  it('cancels a running run after a confirm: the page follows it to CANCELLED', async () => {
    // Prepare
    drop('acme-media-uploads', 'uploads/hang-here.jpg', 'jpeg');
    await page.goto(`${origin}/runs?trigger=uploads/hang-here`);
    const row = page.locator('tr[data-run]').first();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('RUNNING');
    await row.locator('a').click();

    // Act
    await page.locator('button[data-action="cancel"]').click();
    await page.locator('dialog#confirm button[value="ok"]').click();

    // Assess
    await page.locator('#action-result', { hasText: 'CANCELLING' }).waitFor();
    await page.locator('h1 .st', { hasText: 'CANCELLED' }).waitFor({ timeout: 20_000 });
    await shot('run-cancelled');
  });

  it('shows the jobs with their figures, and explains an event', async () => {
    // Act
    await page.goto(`${origin}/jobs`);
    await shot('jobs');
    const thumbnails = (await page.locator('#job-thumbnails').textContent()) ?? '';
    const charts = await page.locator('#job-thumbnails svg.bars rect.ok').count();
    await page.goto(`${origin}/explain?sample=ecs-task-stopped-oom.json`);
    await shot('explain');

    // Assess
    expect(thumbnails).toMatch(/\d+ runs/);
    expect(charts).toBeGreaterThan(0);
    expect(await page.locator('.verdict').textContent()).toContain('retry-bigger');
  });

  it("is readable on a phone: no page wider than the screen, a run's status in view", async () => {
    // Prepare
    const phone = await page.context().newPage();
    await phone.setViewportSize({ width: 390, height: 844 });

    // Act
    const widths: Record<string, number | boolean> = {};
    for (const path of ['/runs', '/jobs', '/explain']) {
      await phone.goto(`${origin}${path}`);
      widths[path] = Number(await phone.evaluate('document.documentElement.scrollWidth'));
      if (path === '/runs') {
        const badge = await phone.locator('tr[data-run] .st').first().boundingBox();
        widths.status = badge ? Math.ceil(badge.x + badge.width) <= 390 : false;
      }
      await phone.screenshot({ path: join(SHOTS, `phone-${path.slice(1)}.png`), fullPage: true });
    }
    await phone.close();

    // Assess
    expect(widths).toEqual({ '/runs': 390, status: true, '/jobs': 390, '/explain': 390 });
  });

  it('refuses a request without the token, from a foreign Origin, to another Host, and an action without the CSRF token', async () => {
    // Prepare
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const host = `127.0.0.1:${new URL(origin).port}`;
    const action = { method: 'POST', path: '/runs/thumbnails-abc/cancel', body: '{}' };

    // Act
    const noToken = await raw({ path: '/runs', headers: { host } });
    const wrongToken = await raw({ path: '/runs?token=guess', headers: { host } });
    const rebound = await raw({
      path: `/runs?${new URL(url).search.slice(1)}`,
      headers: { host: `evil.example:${new URL(origin).port}` },
    });
    const foreign = await raw({
      ...action,
      headers: { host, cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
    });
    const noCsrf = await raw({
      ...action,
      headers: { host, cookie, origin, 'content-type': 'application/json' },
    });
    const inBrowser = await page.evaluate(
      async () => (await fetch('/runs/thumbnails-abc/cancel', { method: 'POST', body: '{}' })).status,
    );

    // Assess
    expect([noToken.status, wrongToken.status]).toEqual([401, 401]);
    expect(noToken.body).toContain('needs its token');
    expect(rebound.status).toBe(403);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain('another origin');
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body).toContain('CSRF');
    expect(inBrowser).toBe(403);
  });
});
