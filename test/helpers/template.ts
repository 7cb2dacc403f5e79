/** Walks CloudFormation-shaped data for tests: IAM statements, resources by type. */

export interface FoundStatement {
  where: string;
  statement: { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
}

type Json = unknown;

/** Every IAM statement in role policies of a resource map (AWS::IAM::Role Policies). */
export const iamStatements = (
  resources: Record<string, { Type: string; Properties?: Record<string, Json> }>,
): FoundStatement[] => {
  const out: FoundStatement[] = [];
  for (const [id, res] of Object.entries(resources)) {
    if (res.Type !== 'AWS::IAM::Role') continue;
    const policies = (res.Properties?.Policies ?? []) as {
      PolicyName: string;
      PolicyDocument: { Statement: FoundStatement['statement'][] };
    }[];
    for (const p of policies)
      for (const s of p.PolicyDocument.Statement)
        out.push({ where: `${id}/${p.PolicyName}/${s.Sid ?? '?'}`, statement: s });
  }
  return out;
};

export const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

export const resourcesOfType = <R extends { Type: string }>(
  resources: Record<string, R>,
  type: string,
): [string, R][] => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Fn::Sub strings with ${AWS::Region} filled in, for length checks. */
export const subWith = (v: unknown, region: string): string => {
  const s = typeof v === 'string' ? v : ((v as { 'Fn::Sub'?: string })['Fn::Sub'] ?? '');
  return s.replaceAll('${AWS::Region}', region);
};

/** Statements that may use Resource "*", each with the reason AWS requires it. */
export const WILDCARD_RESOURCE_EXCEPTIONS: Record<string, string> = {
  'ecr:GetAuthorizationToken':
    'GetAuthorizationToken has no resource-level permissions (IAM service authorization reference)',
  'ecs:ListTasks':
    'ListTasks supports no task resource; the statement is pinned to our cluster with the ecs:cluster condition',
};
