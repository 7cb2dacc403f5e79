/**
 * Stage parameters: account-specific ids (subnets, security groups, EFS ids, an existing cluster)
 * never appear in the catalog or the template as literals. Each catalog `param('x')` becomes a
 * CloudFormation parameter read from SSM Parameter Store at deploy time; the SSM path is a
 * Serverless stage parameter (`params` in serverless.ts, or `--param x=/path`) defaulting to
 * `/longshore/<stage>/<x>`.
 */
import type { Catalog, ParamRef } from '../catalog/schema.ts';
import { type CfnValue, pascal, ref } from './cfn.ts';

export type ParamKind = 'list' | 'string';

export interface StageParam {
  name: string;
  kind: ParamKind;
  logicalId: string;
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
    const entry = existing ?? { name: v.param, kind, logicalId: `Param${pascal(v.param)}`, usedBy: [] };
    entry.usedBy.push(usedBy);
    out.set(v.param, entry);
  };
  for (const [name, net] of Object.entries(catalog.networks)) {
    add(net.subnets, 'list', `network '${name}' subnets`);
    add(net.securityGroups, 'list', `network '${name}' securityGroups`);
  }
  for (const job of catalog.jobs) {
    for (const vol of job.volumes) {
      add(vol.efs?.fileSystemId, 'string', `job '${job.name}' volume '${vol.name}'`);
      add(vol.efs?.accessPointId, 'string', `job '${job.name}' volume '${vol.name}'`);
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
};

export const parameterDefinitions = (params: StageParam[]): Record<string, CfnValue> =>
  Object.fromEntries(
    params.map((p) => [
      p.logicalId,
      {
        Type:
          p.kind === 'list' ? 'AWS::SSM::Parameter::Value<CommaDelimitedList>' : 'AWS::SSM::Parameter::Value<String>',
        Default: `\${param:${p.name}}`,
        Description: `SSM parameter holding ${p.kind === 'list' ? 'a comma-separated list for' : 'the value of'} ${p.usedBy.join(', ')}`,
      },
    ]),
  );

/** Serverless stage parameter defaults: the SSM path of each parameter for this stage. */
export const paramDefaults = (params: StageParam[], stage: string): Record<string, string> =>
  Object.fromEntries(params.map((p) => [p.name, `/longshore/${stage}/${p.name}`]));

/** A catalog value that may be a parameter, as a CloudFormation value (lists as lists). */
export const listValue = (v: string[] | ParamRef): CfnValue => (isParamRef(v) ? ref(`Param${pascal(v.param)}`) : v);
export const listAsString = (v: string[] | ParamRef): CfnValue =>
  isParamRef(v) ? { 'Fn::Join': [',', ref(`Param${pascal(v.param)}`)] } : v.join(',');
export const stringValue = (v: string | ParamRef): CfnValue => (isParamRef(v) ? ref(`Param${pascal(v.param)}`) : v);
