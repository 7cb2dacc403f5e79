/**
 * The CLI with a broken `jobs.ts` (the default catalog, not `--catalog`), as a user runs it: a
 * process of its own in a copy of the project. `jobs validate` lists the problems, other commands
 * say the catalog is invalid and how to see why, `--help` works regardless; never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../lib/cli/exitCodes.ts';
import { projectCopy, runCli } from '../helpers/cliProcess.ts';

const PROBLEMS = [
  "job 'thumbs': size.memory: 3000 is not valid with cpu 512; use 1024, 2048, 3072 or 4096",
  "job 'Report': name: must be lowercase letters, digits and -, starting with a letter and not ending with -",
  "job 'Report': triggers: needs at least one trigger ({ type: 's3' | 'schedule' | 'manual' | 'after' | 'event' | 'sqs' })",
];

let project = '';

beforeAll(() => {
  project = projectCopy({
    'jobs.ts': readFileSync(join(import.meta.dirname, '..', 'fixtures', 'catalogs', 'broken.ts'), 'utf8'),
  });
});

describe('CLI: a broken jobs.ts', () => {
  it('lists every problem with exit 2 when jobs validate finds the default catalog invalid', async () => {
    // Act
    const r = await runCli(project, ['jobs', 'validate']);

    // Assess
    expect(r.code).toBe(EXIT.invalid);
    for (const p of PROBLEMS) expect(r.out).toContain(p);
    expect(r.err).not.toMatch(/\bat \S+:\d+:\d+/);
  });

  it('prints one JSON document with the problems when jobs validate --json finds the catalog invalid', async () => {
    // Act
    const r = await runCli(project, ['--json', 'jobs', 'validate']);

    // Assess
    expect(r.code).toBe(EXIT.invalid);
    expect(JSON.parse(r.out)).toEqual({ valid: false, problems: PROBLEMS });
    expect(r.err).toBe('');
  });

  it('prints the help when the catalog is invalid', async () => {
    // Act
    const r = await runCli(project, ['--help']);

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('Usage: longshore');
    expect(r.err).toBe('');
  });

  it.each([
    [['runs', 'list']],
    [['jobs', 'list']],
    [['trigger', 'thumbs']],
    [['up', '--demo', '--no-watch']],
    [['invoke', 'sweeper', 'events/sweeper-tick.json']],
  ])('refuses %j with exit 2, saying the catalog is invalid and how to see why', async (args) => {
    // Act
    const r = await runCli(project, args);

    // Assess
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toContain('longshore: the job catalog jobs.ts is invalid (3 problems)');
    expect(r.err).toContain('npx longshore jobs validate');
    expect(r.err).not.toMatch(/\bat \S+:\d+:\d+/);
  });
});
