/** A run taken through the real accept and launch path, for tests of what follows a launch. */
import { acceptRuns } from '../../lib/acceptRuns.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import { launchOne } from '../../lib/launch.ts';
import type { buildDeps } from './fakes.ts';

/** A manual run of `job` (client token `token`), launched: its id, attempt 1 and the task RunTask gave it. */
export const launchManualRun = async (
  ctx: ReturnType<typeof buildDeps>,
  catalog: Catalog,
  job: string,
  token: string,
): Promise<{ runId: string; attempt: number; taskArn: string }> => {
  const j = catalog.jobs.find((x) => x.name === job);
  if (!j) throw new Error(job);
  const [accepted] = await acceptRuns(ctx.core, [{ job: j, trigger: { type: 'manual', token } }]);
  const runId = accepted?.runId ?? '';
  ctx.queue.take();
  await launchOne(ctx.launch, { v: 1, runId, attempt: 1 });
  return { runId, attempt: 1, taskArn: (await ctx.core.store.getRun(runId))?.taskArn ?? '' };
};
