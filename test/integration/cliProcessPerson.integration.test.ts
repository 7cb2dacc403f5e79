/**
 * The CLI as a process in a terminal's pipelines and folders: `| head -1` closes the pipe early
 * (no EPIPE crash), and a command run from a subfolder of the project uses the project's state
 * (as git and npm find their root), not a new empty store beside the subfolder.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../lib/cli/exitCodes.ts';
import { projectCopy, runCli } from '../helpers/cliProcess.ts';

let project = '';

beforeAll(() => {
  project = projectCopy();
});

describe('CLI: a closed pipe', () => {
  it('exits 0 without a stack trace when the reader of stdout has gone (| head -1)', async () => {
    // Prepare: the reading end closes before the CLI writes anything
    const child = spawn(process.execPath, ['bin/longshore.mjs', 'jobs', 'list'], {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (c) => {
      err += String(c);
    });

    // Act
    const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));

    // Assess
    expect(err).not.toMatch(/EPIPE|\bat \S+:\d+:\d+/);
    expect(code).toBe(EXIT.ok);
  });
});

describe('CLI: from a subfolder', () => {
  it('uses the state folder of the project root when run from a subfolder', async () => {
    // Prepare
    const sub = join(project, 'reports', '2026');
    mkdirSync(sub, { recursive: true });

    // Act
    const r = await runCli(project, ['runs', 'list', '--job', 'csv-ingest'], {}, sub);

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(existsSync(join(sub, '.longshore'))).toBe(false);
    expect(existsSync(join(project, '.longshore', 'ddb'))).toBe(true);
  });
});
