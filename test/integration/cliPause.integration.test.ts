/**
 * `jobs pause` / `jobs resume` through the CLI on the local store: the job's state in `jobs list`,
 * a triggered run held PAUSED and listed, the local Scheduler's schedule disabled and enabled
 * again (kept in the state folder for the next `up`), the released runs in the answer, and a
 * repeated command that changes nothing.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../lib/cli/exitCodes.ts';
import { LocalRuntime } from '../../lib/local/LocalRuntime.ts';
import { runMain } from '../helpers/cliInProcess.ts';

const state = mkdtempSync(join(tmpdir(), 'longshore-cli-pause-'));
const cli = (...args: string[]) => runMain(['--state', state, ...args]);
const json = <T = Record<string, unknown>>(r: { out: string }): T => JSON.parse(r.out) as T;

afterAll(() => LocalRuntime.shutdownEngine());

describe('CLI: jobs pause and resume (local store)', () => {
  it("holds a paused job's run, lists it, and releases it on resume; repeats change nothing", async () => {
    // Act: pause, trigger (the run runs here until it is held), list, resume twice.
    const paused = await cli('jobs', 'pause', 'nightly-report', '--json');
    const again = await cli('jobs', 'pause', 'nightly-report');
    const listed = await cli('jobs', 'list', '--json');
    const triggered = await cli('trigger', 'nightly-report', '--json');
    const held = await cli('runs', 'list', '--status', 'PAUSED', '--json');
    const schedulesWhilePaused = JSON.parse(readFileSync(join(state, 'schedules.json'), 'utf8'));
    const resumed = await cli('jobs', 'resume', 'nightly-report', '--json');
    const resumedAgain = await cli('jobs', 'resume', 'nightly-report');

    // Assess
    expect(paused.code).toBe(EXIT.ok);
    expect(json(paused)).toMatchObject({
      ok: true,
      action: 'pause',
      job: 'nightly-report',
      changed: true,
      state: { paused: true, mode: 'hold' },
      schedules: [{ schedule: 'longshore-dev-nightly-report-cron0', result: 'changed' }],
    });
    expect(again.out).toContain('Job nightly-report was paused already');
    expect(again.out).toContain('schedule longshore-dev-nightly-report-cron0: disabled already');
    const jobs = json<{ jobs: { name: string; state: { paused: boolean } }[] }>(listed).jobs;
    expect(jobs.filter((j) => j.state.paused).map((j) => j.name)).toEqual(['nightly-report']);
    expect(triggered.code).toBe(EXIT.ok);
    const runs = json<{ runs: { runId: string; status: string }[] }>(held).runs;
    expect(runs.map((r) => r.status)).toEqual(['PAUSED']);
    expect(schedulesWhilePaused).toEqual({ 'longshore-dev-nightly-report-cron0': 'DISABLED' });
    expect(json(resumed)).toMatchObject({
      changed: true,
      released: [runs[0]?.runId],
      schedules: [{ schedule: 'longshore-dev-nightly-report-cron0', result: 'changed' }],
    });
    expect(resumedAgain.out).toContain('Job nightly-report was not paused: no paused runs to release');
    expect(JSON.parse(readFileSync(join(state, 'schedules.json'), 'utf8'))).toEqual({
      'longshore-dev-nightly-report-cron0': 'ENABLED',
    });
  });

  it('refuses an unknown job with exit 3 and a job name that is not one with exit 2', async () => {
    // Act
    const unknown = await cli('jobs', 'pause', 'payroll');
    const invalid = await cli('jobs', 'resume', 'Not A Job');

    // Assess
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.err).toContain("Unknown job 'payroll'");
    expect(invalid.code).toBe(EXIT.invalid);
    expect(existsSync(state)).toBe(true);
  });
});
