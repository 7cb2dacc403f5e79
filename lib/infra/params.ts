/**
 * Stage parameters in the template: each one the catalog uses (lib/catalog/stageParams.ts) becomes
 * a CloudFormation parameter read from SSM Parameter Store at deploy time; the SSM path is a
 * Serverless stage parameter (`params` in serverless.ts, or `--param x=/path`) defaulting to
 * `/longshore/<stage>/<x>`.
 */
import type { ParamRef } from '../catalog/schema.ts';
import { isParamRef, type StageParam } from '../catalog/stageParams.ts';
import { type CfnValue, pascal, ref } from './cfn.ts';

const logicalId = (name: string): string => `Param${pascal(name)}`;

export const parameterDefinitions = (params: StageParam[]): Record<string, CfnValue> =>
  Object.fromEntries(
    params.map((p) => [
      logicalId(p.name),
      {
        Type:
          p.kind === 'list' ? 'AWS::SSM::Parameter::Value<CommaDelimitedList>' : 'AWS::SSM::Parameter::Value<String>',
        Default: `\${param:${p.name}}`,
        Description: `SSM parameter holding ${p.kind === 'list' ? 'a comma-separated list for' : 'the value of'} ${p.usedBy.join(', ')}`,
      },
    ]),
  );

/** A catalog value that may be a parameter, as a CloudFormation value (lists as lists). */
export const listValue = (v: string[] | ParamRef): CfnValue => (isParamRef(v) ? ref(logicalId(v.param)) : v);
export const listAsString = (v: string[] | ParamRef): CfnValue =>
  isParamRef(v) ? { 'Fn::Join': [',', ref(logicalId(v.param))] } : v.join(',');
export const stringValue = (v: string | ParamRef): CfnValue => (isParamRef(v) ? ref(logicalId(v.param)) : v);
