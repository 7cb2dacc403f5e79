/**
 * Template checks beyond one resource: the reference graph (no dangling Ref, Fn::GetAtt, Fn::Sub
 * variable, DependsOn or Condition; no cycle), CloudFormation's template quotas, every physical
 * name within its service's limit when the stage, job and Region names are the longest allowed,
 * and tags within the tagging rules. Each limit carries its source.
 */
import { intrinsicOf, type Json, type Template } from './cfnSpec.ts';

export interface GraphProblem {
  where: string;
  problem: string;
  /** Which check found it (for known-exception lists). */
  check: string;
}

/**
 * CloudFormation template quotas, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 * (read November 2026). Serverless uploads the template to its deployment bucket and deploys it by
 * URL, so the S3 body limit applies, not the 51,200 bytes of an inline body.
 */
export const CFN_QUOTAS = {
  resources: 500,
  outputs: 200,
  parameters: 200,
  mappings: 200,
  logicalIdLength: 255,
  templateBodyBytesInS3: 1_000_000,
  descriptionBytes: 1024,
} as const;

/**
 * The longest names the substitutions can take. Region: `us-isof-south-1` (15 characters), the
 * longest in the AWS SDK's partition table (`@aws-sdk/core`, partitions `aws-iso-f`); partition:
 * `aws-iso-f`; account ids are 12 digits.
 */
export const LONGEST = { region: 'us-isof-south-1', partition: 'aws-iso-f', accountId: '123456789012' } as const;

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

interface NameRule {
  /** Property path inside Properties ("ContainerDefinitions[].Name"). */
  path: string;
  max: number;
  min?: number;
  pattern: RegExp;
  source: string;
}

/** Physical-name limits of the resource types the template uses, from each service's API reference. */
export const NAME_RULES: Record<string, NameRule[]> = {
  'AWS::IAM::Role': [
    {
      path: 'RoleName',
      max: 64,
      pattern: /^[\w+=,.@-]+$/,
      source: 'IAM API Reference, CreateRole: RoleName 1-64, [\\w+=,.@-]+',
    },
    {
      path: 'Policies[].PolicyName',
      max: 128,
      pattern: /^[\w+=,.@-]+$/,
      source: 'IAM API Reference, PutRolePolicy: PolicyName 1-128, [\\w+=,.@-]+',
    },
  ],
  'AWS::Lambda::Function': [
    {
      path: 'FunctionName',
      max: 64,
      pattern: /^[a-zA-Z0-9_-]+$/,
      source: 'Lambda API Reference, CreateFunction: a function name is 1-64 characters, letters, digits, - and _',
    },
  ],
  'AWS::Logs::LogGroup': [
    {
      path: 'LogGroupName',
      max: 512,
      pattern: /^[.\-_/#A-Za-z0-9]+$/,
      source: 'CloudWatch Logs API Reference, CreateLogGroup: 1-512, [\\.\\-_/#A-Za-z0-9]+',
    },
  ],
  'AWS::SQS::Queue': [
    {
      path: 'QueueName',
      max: 80,
      pattern: /^[A-Za-z0-9_-]+$/,
      source: 'SQS API Reference, CreateQueue: up to 80 characters, alphanumerics, - and _',
    },
  ],
  'AWS::SNS::Topic': [
    {
      path: 'TopicName',
      max: 256,
      pattern: /^[A-Za-z0-9_-]+$/,
      source: 'SNS API Reference, CreateTopic: up to 256 characters, letters, digits, - and _',
    },
    {
      path: 'DisplayName',
      max: 100,
      pattern: /^[^\n\r]*$/,
      source: 'SNS API Reference, SetTopicAttributes: DisplayName up to 100 characters',
    },
  ],
  'AWS::Events::Rule': [
    {
      path: 'Name',
      max: 64,
      pattern: /^[.\-_A-Za-z0-9]+$/,
      source: 'EventBridge API Reference, PutRule: Name 1-64, [\\.\\-_A-Za-z0-9]+',
    },
    {
      path: 'Description',
      max: 512,
      pattern: /^[\s\S]*$/,
      source: 'EventBridge API Reference, PutRule: Description up to 512',
    },
  ],
  'AWS::Events::EventBus': [
    {
      path: 'Name',
      max: 256,
      pattern: /^[/.\-_A-Za-z0-9]+$/,
      source: 'EventBridge API Reference, CreateEventBus: Name 1-256, [/\\.\\-_A-Za-z0-9]+',
    },
  ],
  'AWS::DynamoDB::Table': [
    {
      path: 'TableName',
      min: 3,
      max: 255,
      pattern: /^[a-zA-Z0-9_.-]+$/,
      source: 'DynamoDB API Reference, CreateTable: TableName 3-255, [a-zA-Z0-9_.-]+',
    },
    {
      path: 'GlobalSecondaryIndexes[].IndexName',
      min: 3,
      max: 255,
      pattern: /^[a-zA-Z0-9_.-]+$/,
      source: 'DynamoDB API Reference, GlobalSecondaryIndex: IndexName 3-255, [a-zA-Z0-9_.-]+',
    },
  ],
  'AWS::ECS::Cluster': [
    {
      path: 'ClusterName',
      max: 255,
      pattern: /^[a-zA-Z0-9_-]+$/,
      source: 'ECS API Reference, CreateCluster: up to 255 letters, numbers, underscores and hyphens',
    },
  ],
  'AWS::ECS::TaskDefinition': [
    {
      path: 'Family',
      max: 255,
      pattern: /^[a-zA-Z0-9_-]+$/,
      source: 'ECS API Reference, RegisterTaskDefinition: family up to 255 letters, numbers, hyphens, underscores',
    },
    {
      path: 'ContainerDefinitions[].Name',
      max: 255,
      pattern: /^[a-zA-Z0-9_-]+$/,
      source: 'ECS API Reference, ContainerDefinition: name up to 255 letters, numbers, underscores, hyphens',
    },
  ],
  'AWS::Scheduler::Schedule': [
    {
      path: 'Name',
      max: 64,
      pattern: /^[0-9a-zA-Z\-_.]+$/,
      source: 'EventBridge Scheduler API Reference, CreateSchedule: Name 1-64, [0-9a-zA-Z-_.]+',
    },
    {
      path: 'Description',
      max: 512,
      pattern: /^[\s\S]*$/,
      source: 'EventBridge Scheduler API Reference, CreateSchedule: Description up to 512',
    },
  ],
  'AWS::Scheduler::ScheduleGroup': [
    {
      path: 'Name',
      max: 64,
      pattern: /^[0-9a-zA-Z\-_.]+$/,
      source: 'EventBridge Scheduler API Reference, CreateScheduleGroup: Name 1-64, [0-9a-zA-Z-_.]+',
    },
  ],
  'AWS::CloudWatch::Alarm': [
    {
      path: 'AlarmName',
      max: 255,
      pattern: /^[^\n\r]+$/,
      source: 'CloudWatch API Reference, PutMetricAlarm: AlarmName 1-255',
    },
  ],
  'AWS::CloudWatch::Dashboard': [
    {
      path: 'DashboardName',
      max: 255,
      pattern: /^[A-Za-z0-9_-]+$/,
      source: 'CloudWatch API Reference, PutDashboard: DashboardName up to 255, A-Z a-z 0-9 - _',
    },
  ],
};

/**
 * Tagging rules. All services: at most 50 tags, keys 1-128 and values 0-256 Unicode characters,
 * `aws:` reserved (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). Character
 * sets differ: most services allow letters, numbers, spaces and `_ . : / = + - @`; DynamoDB does
 * not allow `@` (DynamoDB developer guide, "Tagging restrictions"; aws-facts.md §h).
 */
export const TAG_RULES = {
  maxTags: 50,
  maxKey: 128,
  maxValue: 256,
  chars: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
  dynamodbChars: /^[\p{L}\p{Z}\p{N}_.:/=+-]*$/u,
} as const;

/** A literal string with Fn::Sub placeholders filled with the longest values; undefined if not literal. */
export const longestLiteral = (v: Json): string | undefined => {
  if (typeof v === 'string') return v;
  const intrinsic = intrinsicOf(v);
  if (intrinsic?.[0] !== 'Fn::Sub' || typeof intrinsic[1] !== 'string') return undefined;
  return intrinsic[1]
    .replaceAll('${AWS::Region}', LONGEST.region)
    .replaceAll('${AWS::Partition}', LONGEST.partition)
    .replaceAll('${AWS::AccountId}', LONGEST.accountId)
    .replaceAll('${AWS::URLSuffix}', 'amazonaws.com');
};

const valuesAt = (obj: Json, path: string): Json[] => {
  let values: Json[] = [obj];
  for (const part of path.split('.')) {
    const list = part.endsWith('[]');
    const key = list ? part.slice(0, -2) : part;
    values = values.flatMap((v) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !(key in v)) return [];
      const next = v[key] as Json;
      return list ? (Array.isArray(next) ? next : []) : [next];
    });
  }
  return values;
};

/** Every reference a value makes: Ref targets, GetAtt targets and Sub variables. */
const references = (v: Json, out: { refs: string[]; conditions: string[] } = { refs: [], conditions: [] }) => {
  if (Array.isArray(v)) {
    for (const x of v) references(x, out);
    return out;
  }
  if (v === null || typeof v !== 'object') return out;
  const intrinsic = intrinsicOf(v);
  if (intrinsic) {
    const [name, args] = intrinsic;
    if (name === 'Ref' && typeof args === 'string') out.refs.push(args);
    if (name === 'Fn::GetAtt') {
      const target = Array.isArray(args) ? String(args[0]) : String(args).split('.')[0];
      out.refs.push(target as string);
    }
    if (name === 'Fn::Sub') {
      const [text, vars] = Array.isArray(args)
        ? [String(args[0]), (args[1] ?? {}) as Record<string, Json>]
        : [String(args), {}];
      for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const variable = (m[1] as string).split('.')[0] as string;
        if (!(variable in vars)) out.refs.push(variable);
      }
      references(vars as Json, out);
      return out;
    }
    if (name === 'Fn::If' && Array.isArray(args)) {
      out.conditions.push(String(args[0]));
      references(args.slice(1) as Json, out);
      return out;
    }
  }
  for (const x of Object.values(v)) references(x, out);
  return out;
};

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Cycles among resources: a Ref, GetAtt, Sub variable or DependsOn is an edge. */
export const findCycles = (edges: Map<string, Set<string>>): string[][] => {
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (state.get(m) === 'visiting') cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of edges.keys()) if (!state.has(n)) visit(n);
  return cycles;
};

export interface GraphReport {
  problems: GraphProblem[];
  edges: number;
  names: number;
  tags: number;
}

/** The graph, quota, name and tag checks over one template (its body as written, for the size). */
export const checkTemplateGraph = (template: Template, body: string): GraphReport => {
  const problems: GraphProblem[] = [];
  const fail = (check: string, where: string, problem: string) => problems.push({ check, where, problem });
  const resources = template.Resources;
  const params = template.Parameters ?? {};
  const conditions = template.Conditions ?? {};
  const known = (id: string) => id in resources || id in params || PSEUDO.has(id);

  const edges = new Map<string, Set<string>>();
  let edgeCount = 0;
  const checkRefs = (where: string, v: Json, from?: string) => {
    const { refs, conditions: conds } = references(v);
    for (const r of refs) {
      if (!known(r))
        fail('dangling-reference', where, `refers to ${r}, which is no resource, parameter or pseudo parameter`);
      if (from && r in resources) {
        edges.get(from)?.add(r);
        edgeCount++;
      }
    }
    for (const c of conds)
      if (!(c in conditions)) fail('dangling-condition', where, `Fn::If names unknown condition ${c}`);
  };
  for (const [id, r] of Object.entries(resources)) {
    edges.set(id, new Set());
    if (!/^[A-Za-z0-9]+$/.test(id) || id.length > CFN_QUOTAS.logicalIdLength)
      fail('logical-id', id, 'logical ids are alphanumeric and at most 255 characters');
    checkRefs(id, (r.Properties ?? {}) as Json, id);
    for (const d of asList(r.DependsOn)) {
      if (!(d in resources)) fail('dangling-reference', `${id}.DependsOn`, `depends on ${d}, which does not exist`);
      else {
        edges.get(id)?.add(d);
        edgeCount++;
      }
    }
    if (r.Condition !== undefined && !(r.Condition in conditions))
      fail('dangling-condition', `${id}.Condition`, `unknown condition ${r.Condition}`);
  }
  for (const [id, c] of Object.entries(conditions)) checkRefs(`Conditions.${id}`, c);
  for (const [id, o] of Object.entries(template.Outputs ?? {})) checkRefs(`Outputs.${id}`, o.Value);
  for (const cycle of findCycles(edges)) fail('cycle', cycle[0] as string, `dependency cycle ${cycle.join(' -> ')}`);

  // Quotas.
  const count = (n: number, max: number, what: string) => {
    if (n > max) fail('quota', what, `${n} ${what}; CloudFormation allows ${max} per template`);
  };
  count(Object.keys(resources).length, CFN_QUOTAS.resources, 'resources');
  count(Object.keys(template.Outputs ?? {}).length, CFN_QUOTAS.outputs, 'outputs');
  count(Object.keys(params).length, CFN_QUOTAS.parameters, 'parameters');
  count(Object.keys(template.Mappings ?? {}).length, CFN_QUOTAS.mappings, 'mappings');
  const bytes = Buffer.byteLength(body);
  if (bytes > CFN_QUOTAS.templateBodyBytesInS3)
    fail(
      'quota',
      'template body',
      `${bytes} bytes; CloudFormation takes at most ${CFN_QUOTAS.templateBodyBytesInS3} from S3`,
    );
  if (Buffer.byteLength(template.Description ?? '') > CFN_QUOTAS.descriptionBytes)
    fail('quota', 'Description', `longer than ${CFN_QUOTAS.descriptionBytes} bytes`);

  // Physical names at their longest.
  let names = 0;
  for (const [id, r] of Object.entries(resources)) {
    for (const rule of NAME_RULES[r.Type] ?? []) {
      for (const v of valuesAt((r.Properties ?? {}) as Json, rule.path)) {
        const name = longestLiteral(v);
        if (name === undefined) continue; // a reference: named by another resource
        names++;
        if (name.length > rule.max || name.length < (rule.min ?? 1) || !rule.pattern.test(name))
          fail(
            `name:${r.Type}.${rule.path}`,
            `${id}.${rule.path}`,
            `'${name}' (${name.length} characters in ${LONGEST.region}) breaks the limit: ${rule.source}`,
          );
      }
    }
  }

  // Tags.
  let tagCount = 0;
  for (const [id, r] of Object.entries(resources)) {
    const tags = r.Properties?.Tags;
    if (tags === undefined) continue;
    const pairs: [string, Json][] = Array.isArray(tags)
      ? tags.map((t) => {
          const o = t as { Key: string; Value: Json };
          return [o.Key, o.Value];
        })
      : Object.entries(tags as Record<string, Json>);
    if (pairs.length > TAG_RULES.maxTags)
      fail('tags', `${id}.Tags`, `${pairs.length} tags; at most ${TAG_RULES.maxTags}`);
    const chars = r.Type === 'AWS::DynamoDB::Table' ? TAG_RULES.dynamodbChars : TAG_RULES.chars;
    for (const [key, value] of pairs) {
      tagCount++;
      const v = longestLiteral(value);
      if (key.length < 1 || key.length > TAG_RULES.maxKey || !chars.test(key) || key.toLowerCase().startsWith('aws:'))
        fail(
          `tags:${r.Type}`,
          `${id}.Tags.${key}`,
          'tag key breaks the tagging rules (1-128, allowed characters, no aws:)',
        );
      if (v !== undefined && (v.length > TAG_RULES.maxValue || !chars.test(v)))
        fail(
          `tags:${r.Type}`,
          `${id}.Tags.${key}`,
          `tag value '${v}' breaks the tagging rules (0-256 characters of ${chars.source})`,
        );
    }
  }
  return { problems, edges: edgeCount, names, tags: tagCount };
};

/**
 * Deploy-time facts a schema cannot show (aws-facts.md §h): CloudWatch alarms cannot publish to an
 * SNS topic encrypted with the AWS managed key `alias/aws/sns`; a reserved concurrency fails the
 * stack on accounts whose unreserved pool would drop below its minimum (new accounts start at 10).
 */
export const checkDeployFacts = (template: Template): GraphProblem[] => {
  const problems: GraphProblem[] = [];
  const alarmTargets = new Set<string>();
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
    for (const key of ['AlarmActions', 'OKActions', 'InsufficientDataActions']) {
      for (const a of (r.Properties?.[key] ?? []) as Json[]) {
        const i = intrinsicOf(a);
        if (i?.[0] === 'Ref' && typeof i[1] === 'string') alarmTargets.add(i[1]);
      }
    }
  }
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::SNS::Topic' && r.Properties?.KmsMasterKeyId === 'alias/aws/sns' && alarmTargets.has(id))
      problems.push({
        check: 'deploy:sns-aws-managed-key-with-alarms',
        where: `${id}.KmsMasterKeyId`,
        problem: 'alarms publish to this topic, but CloudWatch cannot use the AWS managed key alias/aws/sns',
      });
    if (r.Type === 'AWS::Lambda::Function' && r.Properties?.ReservedConcurrentExecutions !== undefined)
      problems.push({
        check: 'deploy:reserved-concurrency',
        where: `${id}.ReservedConcurrentExecutions`,
        problem: 'a reservation fails the deploy on accounts with a low concurrency quota (new accounts: 10)',
      });
  }
  return problems;
};
