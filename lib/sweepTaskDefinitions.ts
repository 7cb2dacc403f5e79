/**
 * The sweeper's part for runs on another image: deregisters the derived task definition revisions
 * (lib/domain/imageOverride.ts) that no active run uses, `DERIVED_RETENTION_DAYS` after they were
 * registered. A family an active run uses keeps its latest revision (the one a retry of that run
 * launches); its older ones, and every revision of a family no active run uses, go once old
 * enough. Deregistering stops nothing that runs (ECS: existing tasks keep running on an INACTIVE
 * revision), and the launcher never reuses a revision within a day of its deregistration
 * (`REUSE_DAYS`), so a launch does not race the sweep. Bounded per sweep, and never failing it.
 */
import type { Catalog } from './catalog/schema.ts';
import { DERIVED_RETENTION_DAYS, derivedFamily, imageOverrideOf, jobFamilyOf } from './domain/imageOverride.ts';
import { taskFamily } from './domain/names.ts';
import type { Run } from './domain/run.ts';
import { faultKind } from './errors.ts';
import { logger } from './logger.ts';
import type { SweepDeps } from './ports.ts';

/** DescribeTaskDefinition calls one sweep may make (the sweeper runs every 5 minutes). */
export const MAX_REVISIONS_CHECKED = 20;

/** The derived families the active runs of a job use (their retries launch on them). */
export const familiesInUse = (stage: string, job: string, active: readonly Run[]): string[] =>
  active.flatMap((r) => {
    const o = imageOverrideOf(r.overrides);
    return o ? [derivedFamily(taskFamily(stage, job), o)] : [];
  });

/** Deregisters what it may (see the module comment); returns the ARNs deregistered. */
export const retireTaskDefinitions = async (
  deps: Pick<SweepDeps, 'taskDefinitions' | 'settings' | 'metrics'>,
  catalog: Catalog,
  inUse: ReadonlySet<string>,
  now: Date,
): Promise<string[]> => {
  const td = deps.taskDefinitions;
  if (!td) return [];
  const stage = deps.settings.stage;
  const jobFamilies = new Set(catalog.jobs.map((j) => taskFamily(stage, j.name)));
  const cutoff = now.getTime() - DERIVED_RETENTION_DAYS * 86_400_000;
  const retired: string[] = [];
  let checks = 0;
  try {
    // Derived families of this catalog's jobs only: `<job family>_<16 hex>` (no job name holds `_`).
    const families = (await td.activeFamilies(`${taskFamily(stage, '')}`)).filter((f) =>
      jobFamilies.has(jobFamilyOf(f) ?? ''),
    );
    sweep: for (const family of families) {
      const revisions = await td.activeRevisions(family);
      for (const arn of inUse.has(family) ? revisions.slice(1) : revisions) {
        if (checks++ >= MAX_REVISIONS_CHECKED) break sweep;
        const at = await td.registeredAt(arn);
        if (!at || Date.parse(at) > cutoff) continue;
        await td.deregister(arn);
        retired.push(arn);
      }
    }
  } catch (e) {
    deps.metrics.fault(faultKind(e));
    logger.warn('Could not retire run task definitions; the next sweep tries again', { error: e as Error });
  }
  if (retired.length > 0) logger.info('Run task definitions deregistered', { taskDefinitions: retired });
  return retired;
};
