/**
 * The CLI as a user runs it (`node bin/longshore.mjs`, a process of its own), in a copy of the
 * project: a test can then break `jobs.ts` or put its own `local.secrets.json` beside it without
 * touching the repository. node_modules is linked, not copied.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..', '..');
const COPIED = ['bin', 'lib', 'functions', 'events', 'jobs.ts', 'package.json', 'tsconfig.json'];

/** A copy of the project in a temporary folder, with `files` (path -> content) written over it. */
export const projectCopy = (files: Record<string, string> = {}): string => {
  const dir = mkdtempSync(join(tmpdir(), 'longshore-project-'));
  for (const entry of COPIED) cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
};

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs `longshore ARGS` of the project in `dir` with this test's Node, without a terminal (so no
 * colours), from `dir` or a folder under it (`cwd`).
 */
export const runCli = (dir: string, args: string[], env: Record<string, string> = {}, cwd = dir): Promise<CliResult> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(dir, 'bin', 'longshore.mjs'), ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += String(c);
    });
    child.stderr.on('data', (c) => {
      err += String(c);
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
  });
