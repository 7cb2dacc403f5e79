/**
 * Stage parameters, as the catalog uses them: account-specific ids (subnets, security groups, EFS
 * ids) never appear in the catalog as literals; each `param('x')` is read from SSM Parameter Store,
 * by default at `/longshore/<stage>/<x>` (`--param x=/path` for another path). The stack turns them
 * into CloudFormation parameters (lib/infra/params.ts); `longshore doctor` checks that they exist.
 */
import { SERVICE } from '../domain/names.ts';
import type { Catalog, ParamRef } from './schema.ts';

export type ParamKind = 'list' | 'string';

export interface StageParam {
  name: string;
  kind: ParamKind;
  /** Where the catalog uses it, in words ("network 'default' subnets"). */
  usedBy: string[];
}

export const isParamRef = (v: unknown): v is ParamRef =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'param' in v;

/** Every stage parameter the catalog uses, with how it is used. Throws if one name is used both ways. */
export const collectParams = (catalog: Catalog): StageParam[] => {
  const out = new Map<string, StageParam>();
  const add = (v: unknown, kind: ParamKind, usedBy: string): void => {
    if (!isParamRef(v)) return;
    const existing = out.get(v.param);
    if (existing && existing.kind !== kind) {
      throw new Error(
        `Stage parameter '${v.param}' is used both as a list (${existing.usedBy[0]}) and as a single value (${usedBy})`,
      );
    }
    const entry = existing ?? { name: v.param, kind, usedBy: [] };
    entry.usedBy.push(usedBy);
    out.set(v.param, entry);
  };
  for (const [name, net] of Object.entries(catalog.networks)) {
    add(net.subnets, 'list', `network '${name}' subnets`);
    add(net.securityGroups, 'list', `network '${name}' securityGroups`);
  }
  for (const job of catalog.jobs) {
    job.triggers.forEach((t, i) => {
      if (t.type === 'sqs') add(t.queue, 'string', `job '${job.name}' trigger #${i} queue`);
      if (t.type === 'sqs' && t.kmsKey !== undefined)
        add(t.kmsKey, 'string', `job '${job.name}' trigger #${i} queue key`);
    });
    for (const vol of job.volumes) {
      add(vol.efs?.fileSystemId, 'string', `job '${job.name}' volume '${vol.name}'`);
      add(vol.efs?.accessPointId, 'string', `job '${job.name}' volume '${vol.name}'`);
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
};

/** The SSM path a stage parameter is read from unless `--param` says otherwise. */
export const stageParamPath = (stage: string, name: string): string => `/${SERVICE}/${stage}/${name}`;

/** Serverless stage parameter defaults: the SSM path of each parameter for this stage. */
export const paramDefaults = (params: StageParam[], stage: string): Record<string, string> =>
  Object.fromEntries(params.map((p) => [p.name, stageParamPath(stage, p.name)]));
