/**
 * Packages the service once per test run for the conformance suites (`osls package`, the real
 * Serverless output): the example catalog (`serverless.ts`) and the every-feature catalog
 * (`serverless.conformance.ts`), both for the longest stage name allowed, one after the other: they share serverless-esbuild's
 * build folder (about 5 s each).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);

/** The longest stage name allowed (MAX_STAGE_LENGTH, 10): every physical name at its longest. */
export const CONFORMANCE_STAGE = 'abcdefghij';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder of each packaged catalog: `<dir>/cloudformation-template-update-stack.json`. */
    packaged: { example: string; everything: string };
  }
}

const pack = async (config: string | undefined, dir: string): Promise<void> => {
  await run(
    'node_modules/.bin/osls',
    ['package', '--stage', CONFORMANCE_STAGE, '--package', dir, ...(config ? ['--config', config] : [])],
    {
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
};

export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), 'longshore-conformance-'));
  const example = join(root, 'example');
  const everything = join(root, 'everything');
  await pack(undefined, example);
  await pack('serverless.conformance.ts', everything);
  project.provide('packaged', { example, everything });
  return () => rmSync(root, { recursive: true, force: true });
}
