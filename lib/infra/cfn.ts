/** Minimal CloudFormation value helpers and types for the resource builders. */

export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue };
export interface CfnResource {
  Type: string;
  Properties?: Record<string, CfnValue>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: 'Delete' | 'Retain' | 'Snapshot';
  UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot';
}
export type Resources = Record<string, CfnResource>;

export const ref = (logicalId: string): CfnValue => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string): CfnValue => ({ 'Fn::GetAtt': [logicalId, attribute] });
export const sub = (template: string, vars?: Record<string, CfnValue>): CfnValue =>
  vars ? { 'Fn::Sub': [template, vars] } : { 'Fn::Sub': template };
/** Literal text placed inside an Fn::Sub template: `${` must be written `${!`. */
export const escapeSub = (text: string): string => text.replaceAll('${', '${!');
export const join = (sep: string, parts: CfnValue[]): CfnValue => ({ 'Fn::Join': [sep, parts] });

/** "csv-ingest" -> "CsvIngest"; "onTaskStateChange" -> "OnTaskStateChange". */
export const pascal = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => (p[0] as string).toUpperCase() + p.slice(1))
    .join('');

/** An IAM policy statement as CloudFormation wants it. */
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: CfnValue[];
  Condition?: Record<string, CfnValue>;
}

export const allow = (actions: string[], resources: CfnValue[], condition?: Record<string, CfnValue>): Statement => ({
  Effect: 'Allow',
  Action: actions,
  Resource: resources,
  ...(condition ? { Condition: condition } : {}),
});

export const policyDocument = (statements: Statement[]): CfnValue => ({
  Version: '2012-10-17',
  Statement: statements as unknown as CfnValue[],
});

export const assumeRolePolicy = (service: string, condition?: Record<string, CfnValue>): CfnValue =>
  policyDocument([
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: ['sts:AssumeRole'],
      ...(condition ? { Condition: condition } : {}),
    } as unknown as Statement,
  ]);
