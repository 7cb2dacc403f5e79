/**
 * `osls package` once per set of inputs: the conformance suites and the package test each need a
 * package of the service, and `npm test` runs them twice (the second time 400 days ahead, under
 * faketime). Packaging takes about 20 s here; a package is a function of its inputs (the sources,
 * the catalogs, the lock file), the stage and the config, so the second run reuses the first one's
 * from `node_modules/.cache/longshore-packages/`, and an edit to any input makes a new one.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'longshore-packages');
const run = promisify(execFile);

/** What a package is built from: every source file the bundles and the template can depend on. */
const PACKAGE_INPUTS = [
  'lib',
  'functions',
  'types',
  'jobs.ts',
  'serverless.ts',
  'serverless.conformance.ts',
  'test/fixtures/catalogs',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
];

/**
 * A hash of the package's inputs (paths and contents). A package is reused only when it was built
 * from the same inputs: a run after an edit must check the edited code.
 */
export const packageInputsHash = (): string => {
  const hash = createHash('sha256');
  const add = (path: string): void => {
    const full = join(ROOT, path);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) add(join(path, name));
    } else hash.update(`${path}\0`).update(readFileSync(full));
  };
  for (const input of PACKAGE_INPUTS) add(input);
  return hash.digest('hex');
};

/**
 * The folder of a package of the service for `stage` (and `config`, else serverless.ts): made now,
 * or reused when one was made from the same inputs. Written to a folder of its own and renamed into
 * place, so a run that dies while packaging leaves nothing a later run would take for a package.
 */
export const packagedService = async (opts: { stage: string; config?: string }): Promise<string> => {
  const key = createHash('sha256')
    .update(`${packageInputsHash()}\n${opts.stage}\n${opts.config ?? 'serverless.ts'}`)
    .digest('hex')
    .slice(0, 32);
  const dir = join(CACHE, key);
  if (existsSync(join(dir, 'cloudformation-template-update-stack.json'))) return dir;
  mkdirSync(CACHE, { recursive: true });
  const partial = `${dir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await run(
    join(ROOT, 'node_modules', '.bin', 'osls'),
    ['package', '--stage', opts.stage, '--package', partial, ...(opts.config ? ['--config', opts.config] : [])],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'ci',
        AWS_SECRET_ACCESS_KEY: 'ci',
        AWS_REGION: 'eu-west-1',
        SLS_TELEMETRY_DISABLED: '1',
      },
      timeout: 170_000,
    },
  );
  if (existsSync(dir)) rmSync(partial, { recursive: true, force: true });
  else renameSync(partial, dir);
  return dir;
};
