/**
 * The longshore service built from the every-feature catalog (`test/fixtures/catalogs/everything.ts`)
 * instead of `jobs.ts`, for the conformance suites only: `osls package --config serverless.conformance.ts`
 * (osls wants the file in the service root). Never deployed.
 */

import { functions } from './functions/index.ts';
import { validateCatalog } from './lib/catalog/validate.ts';
import { PROTECTED_STAGES, stageFromArgv } from './lib/infra/context.ts';
import { buildService } from './lib/infra/service.ts';
import raw from './test/fixtures/catalogs/everything.ts';

const { config } = buildService(
  { stage: stageFromArgv(process.argv, process.env), catalog: validateCatalog(raw), protectedStages: PROTECTED_STAGES },
  functions,
);

module.exports = config;
