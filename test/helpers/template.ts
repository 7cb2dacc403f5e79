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

/**
 * The only actions a statement may grant on Resource "*": those AWS documents as having no resource
 * type for the call we make, each with its source (the Service Authorization Reference). Every other
 * statement names its resources.
 */
export const WILDCARD_RESOURCE_EXCEPTIONS: Record<string, string> = {
  'ecr:GetAuthorizationToken':
    'no resource type: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html ' +
    '(and https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html); a token pulls nothing without the repository actions',
  'ecs:ListTasks':
    'its only resource type is container-instance (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html), ' +
    'a filter we never send (Fargate tasks have none); a call without one needs "*" (awsdocs/amazon-ecs-developer-guide#211), ' +
    'so the statement is pinned to our cluster with the ecs:cluster condition key',
  // Runs on another image (lib/runTaskDefinition.ts, lib/sweepTaskDefinitions.ts): task definitions
  // have no resource-level permissions for these (no resource type in the Service Authorization
  // Reference for ECS; aws/containers-roadmap#929, open). Not pinned to the cluster (a task
  // definition has none); RegisterTaskDefinition is pinned to requests tagged with the stage.
  'ecs:DescribeTaskDefinition': 'no resource type (Service Authorization Reference, ECS; aws/containers-roadmap#929)',
  'ecs:RegisterTaskDefinition':
    'no resource type (Service Authorization Reference, ECS; aws/containers-roadmap#929); pinned by aws:RequestTag/longshore:stage',
  'ecs:ListTaskDefinitionFamilies': 'no resource type (Service Authorization Reference, ECS)',
  'ecs:ListTaskDefinitions': 'no resource type (Service Authorization Reference, ECS)',
  'ecs:DeregisterTaskDefinition':
    'no resource type (Service Authorization Reference, ECS; aws/containers-roadmap#929); the sweeper keeps to the derived families',
};

/** The wildcard exceptions a cluster cannot pin (task definitions belong to no cluster), with the condition each must carry instead, if any. */
export const UNPINNED_WILDCARDS: Record<string, string | undefined> = {
  'ecs:DescribeTaskDefinition': undefined,
  'ecs:RegisterTaskDefinition': '"aws:RequestTag/longshore:stage"',
  'ecs:ListTaskDefinitionFamilies': undefined,
  'ecs:ListTaskDefinitions': undefined,
  'ecs:DeregisterTaskDefinition': undefined,
};

/**
 * Characters every service we tag accepts in a tag key or value: DynamoDB documents letters,
 * numbers, white space and `+ - = . _ : /` (the narrowest set of the services we tag; IAM and ECS
 * also take `@`). Values up to 256 characters, keys up to 128 (aws-facts §h).
 */
export const TAG_TEXT = /^[\p{L}\p{N} +\-=._:/]*$/u;
export const MAX_TAG_VALUE = 256;
export const MAX_TAG_KEY = 128;

/** Every tag of every resource (list form `[{Key, Value}]` or map form), with where it is. */
export const resourceTags = (
  resources: Record<string, { Type: string; Properties?: Record<string, Json> }>,
): { where: string; key: unknown; value: unknown }[] => {
  const out: { where: string; key: unknown; value: unknown }[] = [];
  for (const [id, res] of Object.entries(resources)) {
    const tags = res.Properties?.Tags;
    if (tags === undefined) continue;
    const entries = Array.isArray(tags)
      ? (tags as { Key: unknown; Value: unknown }[]).map((t) => [t.Key, t.Value] as const)
      : Object.entries(tags as Record<string, unknown>);
    for (const [key, value] of entries) out.push({ where: `${id} (${res.Type})`, key, value });
  }
  return out;
};

/** What is wrong with each tag AWS would refuse; empty when every tag is acceptable. */
export const tagProblems = (tags: { where: string; key: unknown; value: unknown }[]): string[] =>
  tags.flatMap(({ where, key, value }) => {
    const problems: string[] = [];
    if (typeof key !== 'string' || !TAG_TEXT.test(key) || key.length > MAX_TAG_KEY || key.startsWith('aws:'))
      problems.push(`${where}: tag key ${JSON.stringify(key)}`);
    if (typeof value !== 'string' || !TAG_TEXT.test(value) || value.length > MAX_TAG_VALUE)
      problems.push(`${where}: tag ${String(key)} = ${JSON.stringify(value)}`);
    return problems;
  });
