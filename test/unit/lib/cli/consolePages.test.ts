/**
 * The console's pages as the server makes them (lib/cli/console), over a fake backend: a failed
 * run's page says what decided, with rule, diagnosis, exit and stop codes, and the alert; a log
 * excerpt appears only when the backend gives one, escaped; a queued run says why it waits.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, RunHistory } from '../../../../lib/cli/backends.ts';
import type { ConsoleContext } from '../../../../lib/cli/console/context.ts';
import { cursorCodec } from '../../../../lib/cli/console/cursor.ts';
import { runLive } from '../../../../lib/cli/console/runPage.ts';
import { runsLive } from '../../../../lib/cli/console/runsPage.ts';
import { FinalRunCache } from '../../../../lib/cli/runListing.ts';
import { publishKey } from '../../../../lib/domain/runEvents.ts';
import { exampleCatalog } from '../../../helpers/catalogs.ts';
import { attemptItem, runItem } from '../../../helpers/items.ts';

const NOW = new Date('2026-11-22T09:00:05Z');

const failed = (): RunHistory => {
  const run = runItem(
    'csv-ingest',
    { type: 's3', bucket: 'acme-partner-drop', key: 'incoming/<b>globex</b>.csv' },
    { status: 'FAILED', finishedAt: '2026-11-22T09:00:04.000Z', published: [publishKey('Run Failed', 1)] },
  );
  const attempt = attemptItem(run, {
    status: 'STOPPED',
    taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/longshore-dev/0123456789abcdef0123456789abcdef',
    startedAt: '2026-11-22T09:00:02.000Z',
    stoppedAt: '2026-11-22T09:00:03.000Z',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'main', exitCode: 3, essential: true }],
    logLink:
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Flongshore$252Fdev$252Fcsv-ingest/log-events/longshore$252Fmain$252F0123456789abcdef0123456789abcdef',
    decision: { action: 'fail', rule: 'app-error', diagnosis: "exit 3: container 'main' failed", next: 'giving up' },
  });
  return { run, attempts: [attempt] };
};

/** A console context over a backend that has `queued` queued and `holders` holding the slots. */
const contextOf = (extra: Partial<ConsoleContext> = {}, backend: Partial<Backend> = {}): ConsoleContext => ({
  backend: {
    label: 'test',
    local: false,
    slotHolders: async () => [],
    queuedRuns: async () => [],
    ...backend,
  } as Backend,
  catalog: exampleCatalog(),
  stage: 'dev',
  now: () => NOW,
  requester: 'test',
  cursors: cursorCodec(),
  logExcerpt: async () => undefined,
  runCache: new FinalRunCache(() => NOW),
  ...extra,
});

describe('Function: runLive', () => {
  it("shows a failed run's decision with its rule and diagnosis, the container's exit and stop code, the alert, and a retry", async () => {
    // Act
    const page = (await runLive(contextOf(), failed())).text;

    // Assess
    expect(page).toContain('Decision: fail <span class="rule">[rule app-error]</span>');
    expect(page).toContain('exit 3: container &#39;main&#39; failed');
    expect(page).toContain('<td class="num">3</td>');
    expect(page).toContain('EssentialContainerExited');
    expect(page).toMatch(/Run Failed \(attempt 1\) went out along route/);
    expect(page).toContain('data-action="retry"');
    expect(page).toContain('incoming/&lt;b&gt;globex&lt;/b&gt;.csv');
    expect(page).not.toContain('<b>globex</b>');
    expect(page).toContain('CloudWatch Logs (container &#39;main&#39;)');
    expect(page).not.toContain('log excerpt');
    expect(page).not.toContain('data-poll');
  });

  it("says what the cost is priced at: the prices' Region and date, and a task Region the table lacks", async () => {
    // Prepare: the task ran in eu-west-1, which the price table has no prices for.
    const h = failed();
    const attempt = h.attempts[0];
    if (!attempt) throw new Error('attempt');
    attempt.cost = { costUsd: 0.0012, vcpuSeconds: 60, gbSeconds: 120, priceRegion: 'us-east-1' };

    // Act
    const page = (await runLive(contextOf(), h)).text;

    // Assess
    expect(page).toContain(
      '$0.00120 (estimate: Fargate list prices of us-east-1 as of 2026-12-02; eu-west-1 is not in the price table and is priced at us-east-1&#39;s)',
    );
    expect(page).not.toContain('Fargate list prices, us-east-1)');
  });

  it('shows a succeeded run its result, escaped, and the image tag it ran on', async () => {
    // Prepare
    const h = failed();
    h.run = {
      ...h.run,
      status: 'SUCCEEDED',
      result: '{"rows":3,"note":"<b>"}',
      overrides: { imageTag: '1.13.0-rc1' },
    };

    // Act
    const page = (await runLive(contextOf(), h)).text;

    // Assess
    expect(page).toContain('<code>{&quot;rows&quot;:3,&quot;note&quot;:&quot;&lt;b&gt;&quot;}</code>');
    expect(page).toContain('image tag 1.13.0-rc1');
  });

  it('shows the log excerpt when the backend has one, escaped, and the command for all the lines', async () => {
    // Prepare
    const seen: string[] = [];
    const ctx = contextOf({
      logExcerpt: async (h) => {
        seen.push(h.run.runId);
        return { attempt: 1, container: 'main', lines: ['reading incoming/globex.csv', 'Error: <unexpected> column'] };
      },
    });
    const h = failed();

    // Act
    const page = (await runLive(ctx, h)).text;

    // Assess
    expect(seen).toEqual([h.run.runId]);
    expect(page).toContain("last 2 log lines of container 'main'");
    expect(page).toContain('reading incoming/globex.csv\nError: &lt;unexpected&gt; column');
    expect(page).toContain(`npx longshore --stage dev runs logs ${h.run.runId} --attempt 1`);
  });

  it('shows no excerpt beside an attempt that is not the one the excerpt is of', async () => {
    // Prepare
    const ctx = contextOf({ logExcerpt: async () => ({ attempt: 2, container: 'main', lines: ['later'] }) });

    // Act
    const page = (await runLive(ctx, failed())).text;

    // Assess
    expect(page).not.toContain('log-excerpt');
    expect(page).not.toContain('later');
  });

  it('offers the changes the job allows with a retry: size always (by default), variables only when named, a command only when allowed', async () => {
    // Prepare
    const catalog = exampleCatalog();
    const job = catalog.jobs.find((j) => j.name === 'csv-ingest');
    if (!job) throw new Error('csv-ingest is in the example catalog');
    const strict = contextOf({
      catalog: {
        ...catalog,
        jobs: [{ ...job, overrides: { command: false, environment: [], size: false, image: false } }],
      },
    });
    const open = contextOf({
      catalog: {
        ...catalog,
        jobs: [{ ...job, overrides: { command: true, environment: ['LIMIT'], size: true, image: false } }],
      },
    });

    // Act
    const none = (await runLive(strict, failed())).text;
    const all = (await runLive(open, failed())).text;

    // Assess
    expect(none).toContain('data-action="retry"');
    expect(none).not.toContain('retry-changes');
    expect(all).toContain('<template id="retry-changes">');
    expect(all).toMatch(/name="cpu"[^>]*placeholder="\d+"/);
    expect(all).toContain('name="memory"');
    expect(all).toContain('(LIMIT)<textarea name="environment"');
    expect(all).toContain('name="command"');
  });

  it('says on the local store that a simulated attempt without a command has no log file, not a CloudWatch link', async () => {
    // Act
    const page = (await runLive(contextOf({ localLogsDir: '/nowhere/logs' }), failed())).text;

    // Assess
    expect(page).toContain('no local log file: the simulated task ran no command');
    expect(page).not.toContain('CloudWatch Logs');
  });
});

describe('Function: runLive (a fan-out parent)', () => {
  const parent = (status: 'SUCCEEDED' | 'FAILED', counts: Record<string, number>, counted: number): RunHistory => {
    const run = runItem(
      'csv-ingest',
      { type: 'manual', token: 'fan' },
      { status, finishedAt: '2026-11-22T09:00:04.000Z', fanOut: { total: 20, created: 20, tolerated: 2 } },
    );
    return {
      run,
      attempts: [],
      children: {
        total: 20,
        created: 20,
        tolerated: 2,
        counts,
        counted,
        failed: [
          {
            index: 3,
            runId: 'csv-ingest-child3aaaaaaaaaaaaaaaa',
            status: 'FAILED',
            decision: 'fail [rule app-error]: exit 3',
          },
          { index: 11, runId: 'csv-ingest-child11aaaaaaaaaaaaaaa', status: 'TIMED_OUT' },
        ],
        moreFailed: 1,
      },
    };
  };

  it('shows the children by status, the failed ones with their decisions and links, and offers to retry the items that did not succeed', async () => {
    // Act
    const page = (await runLive(contextOf(), parent('FAILED', { SUCCEEDED: 14, FAILED: 2, TIMED_OUT: 1 }, 17))).text;

    // Assess
    expect(page).toContain('<h2>Children</h2>');
    expect(page).toMatch(
      /20 children \(2 failures tolerated\): .*2 .*FAILED.*, 14 .*SUCCEEDED.*, 1 .*TIMED_OUT.*; 3 not ended/,
    );
    expect(page).toContain('<a href="/runs/csv-ingest-child3aaaaaaaaaaaaaaaa">');
    expect(page).toContain('fail [rule app-error]: exit 3');
    expect(page).toContain('and 1 more failed children');
    expect(page).toMatch(
      /data-failed="1"[^>]*data-confirm="Retry the 6 items of run csv-ingest-[a-z2-7]+ that did not succeed\?/,
    );
    expect(page).toContain('Retry failed items');
  });

  it('offers no retry of failed items when every child succeeded, nor while the parent runs', async () => {
    // Act
    const allGood = (await runLive(contextOf(), parent('SUCCEEDED', { SUCCEEDED: 20 }, 20))).text;
    const running = parent('FAILED', { SUCCEEDED: 1 }, 1);
    const live = (await runLive(contextOf(), { ...running, run: { ...running.run, status: 'RUNNING' } })).text;

    // Assess
    expect(allGood).toContain('<h2>Children</h2>');
    expect(allGood).not.toContain('data-failed');
    expect(live).not.toContain('data-failed');
  });
});

describe('Function: runsLive', () => {
  it('says why a queued run waits: the runs holding the slots and its place in line', async () => {
    // Prepare
    const holder = runItem('csv-ingest', { type: 'manual', token: 'h' }, { status: 'RUNNING' });
    const first = runItem('csv-ingest', { type: 'manual', token: 'q1' });
    const second = runItem('csv-ingest', { type: 'manual', token: 'q2' });
    const ctx = contextOf(
      {},
      {
        runs: async () => ({ runs: [second], scanned: 1, budgetSpent: false }),
        slotHolders: async () => [
          { slot: 1, runId: holder.runId, acquiredAt: '2026-11-22T08:59:00.000Z' },
          { slot: 2, runId: 'csv-ingest-bbbbbbbbbbbbbbbbbbbb', acquiredAt: '2026-11-22T08:59:00.000Z' },
          { slot: 3, runId: 'csv-ingest-cccccccccccccccccccc', acquiredAt: '2026-11-22T08:59:00.000Z' },
        ],
        queuedRuns: async () => [first, second],
      },
    );

    // Act
    const page = (await runsLive(ctx, { filter: {}, limit: 50, query: new URLSearchParams() })).text;

    // Assess
    expect(page).toContain(`all 3 slots held by <a href="/runs/${holder.runId}">`);
    expect(page).toContain('2nd of 2 in line');
    expect(page).toContain('data-poll="/runs/rows"');
  });
});
