/**
 * The task definition a run's attempt runs on: the job's family, or, for a run on another image
 * (`overrides.imageTag` / `overrides.image`), a revision of its own derived from the job's latest
 * (lib/domain/imageOverride.ts). Reused by content: the derived family's latest ACTIVE revision is
 * taken when its content-hash tag matches, so a launcher that crashed between RegisterTaskDefinition
 * and RunTask finds the revision it registered instead of registering a second one; only a new
 * deploy of the job (other content) or a first run on that image registers.
 */
import type { Job } from './catalog/schema.ts';
import { CONTENT_HASH_TAG, DERIVED_RETENTION_DAYS, deriveDefinition, imageOverrideOf } from './domain/imageOverride.ts';
import { taskFamily } from './domain/names.ts';
import type { Run } from './domain/run.ts';
import { LaunchError } from './errors.ts';
import { logger } from './logger.ts';
import type { LaunchDeps } from './ports.ts';

/**
 * A revision is reused only this long after it was registered: the sweeper may deregister one no
 * active run uses after `DERIVED_RETENTION_DAYS`, so a launch that reuses one never meets a
 * revision being deregistered (a day apart); older, a fresh revision is registered.
 */
export const REUSE_DAYS = DERIVED_RETENTION_DAYS - 1;

/**
 * The `taskDefinition` for RunTask: the job's family (its latest revision), or the ARN of the run's
 * derived revision. Throws LaunchError (throttled: the launch is retried; else it fails).
 *
 * @example await taskDefinitionFor(deps, job, run) // 'longshore-dev-csv-ingest' or 'arn:aws:ecs:...:task-definition/longshore-dev-csv-ingest_1a2b...:1'
 */
export const taskDefinitionFor = async (
  deps: Pick<LaunchDeps, 'taskDefinitions' | 'settings' | 'now'>,
  job: Job,
  run: Pick<Run, 'overrides'>,
): Promise<string> => {
  const family = taskFamily(deps.settings.stage, job.name);
  const override = imageOverrideOf(run.overrides);
  if (!override) return family;
  const base = await deps.taskDefinitions.latest(family);
  if (!base)
    throw new LaunchError(`task definition family ${family} has no ACTIVE revision (is the stack deployed?)`, 'config');
  let derived: ReturnType<typeof deriveDefinition>;
  try {
    derived = deriveDefinition(base.spec, base.tags, override, { stage: deps.settings.stage, job: job.name });
  } catch (e) {
    throw new LaunchError((e as Error).message, 'config', { cause: e });
  }
  const current = await deps.taskDefinitions.latest(derived.spec.family);
  const fresh =
    current?.registeredAt !== undefined &&
    deps.now().getTime() - Date.parse(current.registeredAt) < REUSE_DAYS * 86_400_000;
  if (current && fresh && current.tags.some((t) => t.key === CONTENT_HASH_TAG && t.value === derived.hash)) {
    logger.debug('Task definition for the run image found', { taskDefinition: current.arn, image: derived.image });
    return current.arn;
  }
  const arn = await deps.taskDefinitions.register(derived.spec, derived.tags);
  logger.info('Task definition registered for the run image', { taskDefinition: arn, image: derived.image });
  return arn;
};
