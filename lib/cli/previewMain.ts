/** `npm start` until the local flow exists: validate the catalog and show what would be deployed. */

import { functions } from '../../functions/index.ts';
import raw from '../../jobs.ts';
import { validateCatalog } from '../catalog/validate.ts';
import { CatalogError } from '../errors.ts';
import { formatPlan, planSummary } from './plan.ts';

try {
  console.log(formatPlan(planSummary(validateCatalog(raw), 'dev', functions)));
} catch (e) {
  if (!(e instanceof CatalogError)) throw e;
  console.error(e.message);
  process.exitCode = 2;
}
