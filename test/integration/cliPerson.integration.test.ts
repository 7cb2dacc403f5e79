/**
 * The CLI as a person meets it, in a terminal and in scripts: usage errors exit 2, options are
 * checked, errors under --json are JSON, --version, global options in a subcommand's help, and a
 * cancel of a finished run says so. A flow stand-in on the loopback port answers (the real
 * server over a host that records what reached it).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../lib/cli/exitCodes.ts';
import type { ControlResponse } from '../../lib/contracts/control.ts';
import type { Run } from '../../lib/domain/run.ts';
import { type FlowHost, serveFlow } from '../../lib/local/flowServer.ts';
import { runMain } from '../helpers/cliInProcess.ts';
import { runItem } from '../helpers/items.ts';

const state = mkdtempSync(join(tmpdir(), 'longshore-cli-person-'));
const RUN = 'nightly-report-aaaaaaaaaaaaaaaaaaaa';
const received: { fn: string; event: unknown }[] = [];
let listed: Run[] = [];
let answer: ControlResponse = { ok: true, action: 'trigger', runId: RUN, status: 'QUEUED', created: true };
const host: FlowHost = {
  stateDir: state,
  store: {
    runsOfJob: async () => ({ runs: listed }),
    getHistory: async () => undefined,
    getRun: async () => undefined,
    getJobState: async () => undefined,
    activeRuns: async () => [],
    queuedRuns: async () => [],
    childTally: async () => ({ counts: {}, counted: 0, countedIndices: [], failed: [] }),
    slotHolders: async () => [],
  },
  invoke: async (fn, event) => {
    received.push({ fn, event });
    return { ok: true, result: answer };
  },
  idle: async () => true,
};
let stop: () => Promise<void>;

beforeAll(async () => {
  stop = await serveFlow(host);
});
afterAll(() => stop());
beforeEach(() => {
  received.length = 0;
});

const cli = (...args: string[]) => runMain(['--state', state, ...args]);

describe('CLI: usage', () => {
  it.each([
    ['a subcommand without its argument', ['runs', 'show']],
    ['an unknown option of a subcommand', ['runs', 'list', '--bogus']],
    ['an unknown subcommand', ['runs', 'frobnicate']],
  ])('refuses %s with exit 2', async (_what, args) => {
    // Act
    const r = await cli(...args);

    // Assess
    expect(r.code).toBe(EXIT.invalid);
  });

  it.each([
    ['a bare number', '2'],
    ['a word', 'yesterday-ish'],
    ['a negative duration', '-2h'],
  ])('refuses --since as %s with exit 2 naming the option', async (_what, since) => {
    // Act
    const r = await cli('runs', 'list', '--since', since);

    // Assess
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toContain('--since');
  });

  it('prints the version with --version', async () => {
    // Act
    const r = await cli('--version');

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('lists the global options in a subcommand help', async () => {
    // Act
    const r = await cli('runs', 'list', '--help');

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('--stage');
    expect(r.out).toContain('--json');
  });

  it('answers an error under --json as one JSON document with its exit code', async () => {
    // Act
    const r = await cli('--json', 'runs', 'show', 'Not_A_Run');

    // Assess
    expect(r.code).toBe(EXIT.invalid);
    expect(JSON.parse(r.out)).toEqual({
      error: { exitCode: EXIT.invalid, message: expect.stringContaining('run') },
    });
  });
});

describe('CLI: plan', () => {
  it("lists the stage's parameters with the command that creates each, and each job's task role", async () => {
    // Act
    const prod = await cli('plan', '--stage', 'prod', '--region', 'eu-west-1');
    const dev = await cli('--json', 'plan');

    // Assess
    expect(prod.code).toBe(EXIT.ok);
    expect(prod.out).toContain(
      "aws ssm put-parameter --region eu-west-1 --name /longshore/prod/privateSubnetIds --type StringList --value '<subnet-...,subnet-...>'",
    );
    expect(prod.out).toContain('Allow s3:PutObject on arn:aws:s3:::acme-media-thumbnails/*');
    const plan = JSON.parse(dev.out) as { stageParameters: { path: string }[]; jobs: { taskRole: unknown[] }[] };
    expect(plan.stageParameters.map((p) => p.path)).toContain('/longshore/dev/privateSubnetIds');
    expect(plan.jobs[0]?.taskRole).toContainEqual({
      effect: 'Allow',
      actions: ['s3:PutObject'],
      resources: ['arn:aws:s3:::acme-media-thumbnails/*'],
    });
  });
});

describe('CLI: runs list --watch', () => {
  it('prints each run that appears or changes, until Ctrl-C', async () => {
    // Prepare
    const run = runItem('csv-ingest', { type: 'manual', token: 'watch-1' });
    listed = [run];

    // Act
    const watching = cli('runs', 'list', '--job', 'csv-ingest', '--watch');
    await new Promise((r) => setTimeout(r, 300));
    listed = [{ ...run, status: 'RUNNING' }];
    await new Promise((r) => setTimeout(r, 1500));
    process.emit('SIGINT');
    const r = await watching;
    listed = [];

    // Assess
    expect(r.code).toBe(EXIT.ok);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[1]).toMatch(new RegExp(`^${run.runId} +QUEUED`));
    expect(lines.at(-1)).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  ${run.runId}  RUNNING +#1  manual`));
  });
});

describe('CLI: up', () => {
  it('refuses a second local flow on the same state folder, naming the pid of the one running', async () => {
    // Act
    const r = await cli('up', '--no-watch');

    // Assess
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toContain(`the local flow is already running (pid ${process.pid}, since `);
    expect(r.err).not.toContain('Database is not open');
  });
});

describe('CLI: runs cancel', () => {
  it('refuses with exit 4 and says so when the run has finished', async () => {
    // Prepare
    answer = { ok: true, action: 'cancel', runId: RUN, status: 'SUCCEEDED', created: false };

    // Act
    const r = await cli('runs', 'cancel', RUN);

    // Assess
    expect(r.code).toBe(EXIT.rejected);
    expect(r.err).toContain(`Run ${RUN} has already finished (SUCCEEDED); there is nothing to cancel`);
  });

  it('answers 0 for a run that is cancelling', async () => {
    // Prepare
    answer = { ok: true, action: 'cancel', runId: RUN, status: 'CANCELLING', created: false };

    // Act
    const r = await cli('runs', 'cancel', RUN);

    // Assess
    expect(r.code).toBe(EXIT.ok);
  });
});
