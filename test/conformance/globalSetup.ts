/**
 * Packages the service once per test run for the conformance suites (`osls package`, the real
 * Serverless output): the example catalog (`serverless.ts`) and the every-feature catalog
 * (`serverless.conformance.ts`), both for the longest stage name allowed, one after the other: they share serverless-esbuild's
 * build folder (about 5 s each). A package made from the same inputs is reused (test/helpers/packageCache.ts).
 */
import type { TestProject } from 'vitest/node';
import { packagedService } from '../helpers/packageCache.ts';

/** The longest stage name allowed (MAX_STAGE_LENGTH, 10): every physical name at its longest. */
export const CONFORMANCE_STAGE = 'abcdefghij';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder of each packaged catalog: `<dir>/cloudformation-template-update-stack.json`. */
    packaged: { example: string; everything: string };
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const example = await packagedService({ stage: CONFORMANCE_STAGE });
  const everything = await packagedService({ stage: CONFORMANCE_STAGE, config: 'serverless.conformance.ts' });
  project.provide('packaged', { example, everything });
}
