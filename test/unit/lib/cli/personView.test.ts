/**
 * The CLI's views as a person meets them: statuses in their own colour in the live log, tables that
 * stay one row per line when piped, the demo's summary within the terminal's width, and a running
 * attempt shown as running.
 */
import picocolors from 'picocolors';
import { describe, expect, it } from 'vitest';
import type { Backend, RunHistory } from '../../../../lib/cli/backends.ts';
import { waitForRun } from '../../../../lib/cli/commandContext.ts';
import { attachFlowLog, printRunSummary } from '../../../../lib/cli/flowView.ts';
import { Output } from '../../../../lib/cli/Output.ts';
import { printRunHistory } from '../../../../lib/cli/views.ts';
import { Recorder } from '../../../../lib/local/Recorder.ts';
import { exampleCatalog } from '../../../helpers/catalogs.ts';
import { attemptItem, runItem } from '../../../helpers/items.ts';

const pc = picocolors.createColors(true);

const capture = (opts: { color?: boolean; tty?: boolean; width?: number }) => {
  let text = '';
  const out = new Output(
    { json: false, color: opts.color ?? false, tty: opts.tty ?? false, ...(opts.width ? { width: opts.width } : {}) },
    (s) => {
      text += s;
    },
  );
  return { out, text: () => text };
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences are what is measured
const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

describe('Function: attachFlowLog', () => {
  it('colours FAILED red and SUCCEEDED green in the live log when the status is padded', () => {
    // Prepare
    const recorder = new Recorder();
    const { out, text } = capture({ color: true, tty: true });
    attachFlowLog(recorder, out);

    // Act
    recorder.event({
      detailType: 'Run Failed',
      detail: { runId: 'csv-ingest-aaaaaaaaaaaaaaaaaaaa', attempt: 1, decision: { rule: 'r', diagnosis: 'd' } },
    });
    recorder.event({
      detailType: 'Run Succeeded',
      detail: { runId: 'csv-ingest-bbbbbbbbbbbbbbbbbbbb', attempt: 1, durationSeconds: 3 },
    });

    // Assess
    expect(text()).toContain(pc.red('FAILED'));
    expect(text()).toContain(pc.green('SUCCEEDED'));
    expect(text()).not.toContain(pc.cyan('FAILED'));
  });
});

describe('Function: attachFlowLog (delays)', () => {
  it('says when a delayed retry starts here, where local delays are scaled, and says nothing when they are not', () => {
    // Prepare
    const retrying = {
      detailType: 'Run Retrying',
      detail: {
        runId: 'csv-ingest-aaaaaaaaaaaaaaaaaaaa',
        attempt: 2,
        decision: {
          action: 'retry',
          rule: 'application-error',
          diagnosis: 'exit 1',
          next: 'retrying in 54s as attempt 2 of 3',
          delaySeconds: 54,
        },
      },
    };
    const scaled = capture({ tty: false });
    const real = capture({ tty: false });
    const r1 = new Recorder();
    const r2 = new Recorder();
    attachFlowLog(r1, scaled.out, { delayScale: 0.1 });
    attachFlowLog(r2, real.out);

    // Act
    r1.event(retrying);
    r2.event(retrying);

    // Assess
    expect(strip(scaled.text())).toContain(
      'retrying in 54s as attempt 2 of 3 (here in 5.4s: local delays are scaled by 0.1)',
    );
    expect(strip(real.text())).not.toContain('here in');
  });
});

describe('Function: Output.table', () => {
  it('keeps one row per line when piped even when a cell has several lines', () => {
    // Prepare
    const { out, text } = capture({ tty: false });

    // Act
    out.table(
      ['job', 'triggers', 'size'],
      [
        ['csv-ingest', 's3 data/*.csv\nmanual', '1 vCPU'],
        ['nightly', 'schedule cron(0 2 * * ? *)', '2 vCPU'],
      ],
    );

    // Assess
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^csv-ingest {2,}s3 data\/\*\.csv; manual {2,}1 vCPU$/);
    expect(lines[2]?.indexOf('2 vCPU')).toBe(lines[1]?.indexOf('1 vCPU'));
  });

  it('fits a terminal of 80 columns when the cells are long', () => {
    // Prepare
    const { out, text } = capture({ tty: true, width: 80 });
    const run = runItem('csv-ingest', { type: 'manual', token: 'summary-1' }, { status: 'FAILED' });
    const attempts = [1, 2, 3].map((n) =>
      attemptItem(run, {
        attempt: n,
        status: 'STOPPED',
        containers: [{ name: 'main', essential: true, exitCode: 137 }],
        decision: { action: 'retry-bigger', rule: 'out-of-memory-retry-bigger', diagnosis: 'd', next: 'n' },
        durationSeconds: 12,
      }),
    );

    // Act
    printRunSummary(out, [{ run, attempts }]);

    // Assess
    const widths = strip(text())
      .split('\n')
      .map((l) => l.length);
    expect(Math.max(...widths)).toBeLessThanOrEqual(80);
  });
});

describe('Function: printRunHistory', () => {
  it('shows a RUNNING attempt as running since its start, not as one that did not run', () => {
    // Prepare
    const { out, text } = capture({});
    const run = runItem('csv-ingest', { type: 'manual', token: 'running-1' }, { status: 'RUNNING' });
    const attempt = attemptItem(run, {
      status: 'RUNNING',
      taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/longshore-dev/a1c3e5f7b9d24680ace13579bdf02468',
      taskCreatedAt: '2026-11-22T09:00:00.000Z',
      startedAt: '2026-11-22T09:00:02.000Z',
      containers: [{ name: 'main', essential: true }],
    });

    // Act
    printRunHistory(out, exampleCatalog(), { run, attempts: [attempt] });

    // Assess
    expect(text()).not.toMatch(/did not (run|start)/);
    expect(text()).toMatch(/started: +2026-11-22T09:00:02.000Z/);
  });

  it('names the runs that hold the slots when the run waits for one', () => {
    // Prepare
    const { out, text } = capture({});
    const run = runItem('nightly-report', { type: 'manual', token: 'waiting-1' }, { waitingForSlot: true });
    const holder = runItem('nightly-report', { type: 'manual', token: 'holder-1' }, { status: 'RUNNING' });

    // Act
    printRunHistory(out, exampleCatalog(), {
      run,
      attempts: [],
      slotHolders: [{ slot: 0, runId: holder.runId, acquiredAt: '2026-11-22T08:58:00.000Z' }],
    });

    // Assess
    expect(text()).toContain(
      `now:      waiting for a concurrency slot (held by ${holder.runId} since 2026-11-22T08:58:00.000Z)`,
    );
  });
});

describe('Function: waitForRun', () => {
  it('prints each transition of the run and its attempts as the backend reads them', async () => {
    // Prepare: four readings of one run, as a flow backend would hand them over
    const { out, text } = capture({});
    const queued = runItem('csv-ingest', { type: 'manual', token: 'wait-1' });
    const launching = attemptItem(queued);
    const running = { ...launching, status: 'RUNNING' as const, taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/abc123' };
    const stopped = {
      ...running,
      status: 'STOPPED' as const,
      containers: [{ name: 'main', essential: true, exitCode: 0 }],
      decision: { action: 'succeed', rule: 'success', diagnosis: 'exit 0', next: 'done' },
    };
    const readings: RunHistory[] = [
      { run: queued, attempts: [] },
      { run: { ...queued, status: 'STARTING' }, attempts: [launching] },
      { run: { ...queued, status: 'RUNNING' }, attempts: [running] },
      { run: { ...queued, status: 'SUCCEEDED' }, attempts: [stopped] },
    ];
    const backend = {
      label: 'local flow (pid 1)',
      local: true,
      waitFor: async (_id: string, _t: number, onUpdate?: (h: RunHistory) => void) => {
        for (const h of readings) onUpdate?.(h);
        return readings.at(-1);
      },
    } as unknown as Backend;

    // Act
    const code = await waitForRun(backend, out, queued.runId, true, { state: '/tmp/x', project: '/tmp' });

    // Assess
    expect(code).toBe(0);
    const lines = text()
      .split('\n')
      .filter((l) => /^\d\d:\d\d:\d\d {2}/.test(l))
      .map((l) => l.slice(10).replace(/ +/g, ' '));
    expect(lines).toEqual([
      `${queued.runId} run QUEUED`,
      `${queued.runId} #1 LAUNCHING FARGATE_SPOT`,
      `${queued.runId} run STARTING`,
      `${queued.runId} #1 RUNNING abc123`,
      `${queued.runId} run RUNNING`,
      `${queued.runId} #1 STOPPED exit 0 -> succeed [success] exit 0`,
      `${queued.runId} run SUCCEEDED`,
    ]);
  });
});
