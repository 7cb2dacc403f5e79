/**
 * The longshore service: every AWS resource derived from the job catalog (`jobs.ts`).
 * Stage: `--stage <name>` (default dev; at most 10 characters so every derived name fits its limit).
 */

import { functions } from './functions/index.ts';
import raw from './jobs.ts';
import { validateCatalog } from './lib/catalog/validate.ts';
import { PROTECTED_STAGES, stageFromArgv } from './lib/infra/context.ts';
import { buildService } from './lib/infra/service.ts';

const { config } = buildService(
  { stage: stageFromArgv(process.argv, process.env), catalog: validateCatalog(raw), protectedStages: PROTECTED_STAGES },
  functions,
  // `npm run invoke` (osls invoke local) builds with the local mocks injected: lib/local/oslsMocks.ts.
  { localInvoke: process.env.LOCAL_INVOKE === '1' },
);

module.exports = config;
