/**
 * The packaged templates (`osls package` of the example catalog and of the every-feature catalog,
 * longest stage) held to CloudFormation's resource specification, to the reference graph, the
 * template quotas and every service's name and tag limits. The checker itself is shown to fail on
 * seeded mistakes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { checkDeployFacts, checkTemplateGraph, findCycles, type GraphProblem } from './cfnGraph.ts';
import { checkTemplateAgainstSpec, type Json, type Template } from './cfnSpec.ts';
import { applyPendingFixes } from './pendingFixes.ts';

const packaged = inject('packaged');
const load = (dir: string): { template: Template; body: string } => {
  const body = readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8');
  return { template: JSON.parse(body) as Template, body };
};
const catalogs = [
  ['example (jobs.ts)', load(packaged.example)],
  ['every feature (test/fixtures/catalogs/everything.ts)', load(packaged.everything)],
] as const;

const templateScope = (f: { check: string }) => !f.check.startsWith('ecs-') && !f.check.startsWith('sdk');
const totals = { resources: 0, properties: 0, getAtts: 0, names: 0, tags: 0, edges: 0 };

describe('Function: checkTemplateAgainstSpec (packaged templates)', () => {
  it.each(catalogs)(
    'finds every resource of the %s template valid against the specification',
    (_name, { template }) => {
      // Act
      const report = checkTemplateAgainstSpec(template);

      // Assess
      expect(report.problems).toEqual([]);
      expect(report.resources).toBeGreaterThan(70);
      totals.resources += report.resources;
      totals.properties += report.properties;
      totals.getAtts += report.getAtts;
    },
    // 2.5 s alone for the example template; over 5 s (the default) on the shared 2-core machine under load.
    20_000,
  );

  it('uses every resource type of the service in the two templates', () => {
    // Act
    const types = new Set(catalogs.flatMap(([, { template }]) => Object.values(template.Resources).map((r) => r.Type)));

    // Assess
    for (const t of [
      'AWS::ECS::TaskDefinition',
      'AWS::Scheduler::Schedule',
      'AWS::Events::Rule',
      'AWS::IAM::Role',
      'AWS::DynamoDB::Table',
      'AWS::SQS::Queue',
      'AWS::SNS::Topic',
      'AWS::CloudWatch::Alarm',
      'AWS::Lambda::EventSourceMapping',
    ])
      expect(types).toContain(t);
  });
});

describe('Function: checkTemplateGraph (packaged templates)', () => {
  it.each(catalogs)(
    'finds no dangling reference, cycle, quota, name or tag problem in the %s template beyond pending fixes',
    (_name, { template, body }) => {
      // Act
      const report = checkTemplateGraph(template, body);
      const problems: GraphProblem[] = [...report.problems, ...checkDeployFacts(template)];
      const { failing } = applyPendingFixes(problems);

      // Assess
      expect(failing).toEqual([]);
      expect(report.names).toBeGreaterThan(50);
      totals.names += report.names;
      totals.tags += report.tags;
      totals.edges += report.edges;
    },
  );

  it('has no pending-fix entry that matches nothing (delete the entry once its fix is merged)', () => {
    // Act
    const problems = catalogs.flatMap(([, { template, body }]) => [
      ...checkTemplateGraph(template, body).problems,
      ...checkDeployFacts(template),
    ]);
    const { unused } = applyPendingFixes(problems, undefined, templateScope);

    // Assess
    expect(unused.map((f) => f.defect)).toEqual([]);
  });

  it('reports the counts of what was checked', () => {
    // Assess
    console.info(
      `[conformance] templates: ${totals.resources} resources, ${totals.properties} property values, ${totals.getAtts} Fn::GetAtt checked against the CloudFormation specification; ${totals.edges} references, ${totals.names} physical names, ${totals.tags} tags checked`,
    );
    expect(totals.resources).toBeGreaterThan(150);
  });
});

describe('Function: checkTemplateAgainstSpec (seeded mistakes)', () => {
  const base = (): Template => structuredClone(catalogs[1][1].template);
  const firstOfType = (t: Template, type: string) => {
    const entry = Object.entries(t.Resources).find(([, r]) => r.Type === type);
    if (!entry) throw new Error(`no ${type}`);
    return entry;
  };

  it('fails on an unknown property', () => {
    // Prepare
    const t = base();
    const [id, queue] = firstOfType(t, 'AWS::SQS::Queue');
    (queue.Properties as Record<string, Json>).VisibilityTimeoutSecs = 30;

    // Act
    const { problems } = checkTemplateAgainstSpec(t);

    // Assess
    expect(problems).toEqual([
      expect.objectContaining({
        where: `${id}(AWS::SQS::Queue).VisibilityTimeoutSecs`,
        problem: expect.stringMatching(/unknown property/),
      }),
    ]);
  });

  it('fails on a value outside the allowed values', () => {
    // Prepare
    const t = base();
    const [id, group] = firstOfType(t, 'AWS::Logs::LogGroup');
    (group.Properties as Record<string, Json>).RetentionInDays = 45;
    const [ruleId, rule] = firstOfType(t, 'AWS::Events::Rule');
    (rule.Properties as Record<string, Json>).State = 'ON';

    // Act
    const { problems } = checkTemplateAgainstSpec(t);

    // Assess
    expect(problems).toEqual([
      expect.objectContaining({
        where: `${id}(AWS::Logs::LogGroup).RetentionInDays`,
        problem: expect.stringMatching(/^45 is not one of the allowed values 1, 3, 5, 7, 14, 30,/),
      }),
      expect.objectContaining({
        where: `${ruleId}(AWS::Events::Rule).State`,
        problem:
          "'ON' is not one of the allowed values DISABLED, ENABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
      }),
    ]);
  });

  it('fails on a missing required property, deep in a nested type', () => {
    // Prepare
    const t = base();
    const [id, td] = firstOfType(t, 'AWS::ECS::TaskDefinition');
    const containers = (td.Properties as { ContainerDefinitions: Record<string, Json>[] }).ContainerDefinitions;
    delete (containers[0] as Record<string, Json>).Image;

    // Act
    const { problems } = checkTemplateAgainstSpec(t);

    // Assess
    expect(problems).toEqual([
      expect.objectContaining({
        where: `${id}(AWS::ECS::TaskDefinition).ContainerDefinitions[0]`,
        problem: 'required property Image is missing',
      }),
    ]);
  });

  it('fails on a wrong type, an unknown resource type and an unknown Fn::GetAtt attribute', () => {
    // Prepare
    const t = base();
    const [queueId, queue] = firstOfType(t, 'AWS::SQS::Queue');
    (queue.Properties as Record<string, Json>).MessageRetentionPeriod = '14 days';
    t.Resources.Bogus = { Type: 'AWS::ECS::Taskdefinition', Properties: {} };
    const [, rule] = firstOfType(t, 'AWS::Events::Rule');
    const targets = (rule.Properties as { Targets: Record<string, Json>[] }).Targets;
    (targets[0] as Record<string, Json>).Arn = { 'Fn::GetAtt': [queueId, 'Url'] };

    // Act
    const messages = checkTemplateAgainstSpec(t).problems.map((p) => p.problem);

    // Assess
    expect(messages).toEqual(
      expect.arrayContaining([
        'expected an integer, got "14 days"',
        'resource type AWS::ECS::Taskdefinition does not exist in the CloudFormation specification',
        expect.stringMatching(/Fn::GetAtt .*\.Url: AWS::SQS::Queue has no attribute Url/),
      ]),
    );
  });
});

describe('Function: checkTemplateGraph (seeded mistakes)', () => {
  it('fails on a dangling Ref, a Sub variable that exists nowhere, a cycle and a name over its limit', () => {
    // Prepare
    const t: Template = {
      Resources: {
        A: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': 'q-${Missing}' } }, DependsOn: 'B' },
        B: {
          Type: 'AWS::SQS::Queue',
          Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['A', 'Arn'] } } },
        },
        C: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'Nowhere' } } },
        D: { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::Sub': `${'r'.repeat(50)}-\${AWS::Region}` } } },
      },
    };

    // Act
    const checks = checkTemplateGraph(t, JSON.stringify(t)).problems.map((p) => `${p.check} ${p.where}`);

    // Assess
    expect(checks).toEqual(
      expect.arrayContaining([
        'dangling-reference A',
        'dangling-reference C',
        'cycle A',
        'name:AWS::IAM::Role.RoleName D.RoleName',
      ]),
    );
  });

  it('finds every cycle start in a graph', () => {
    // Prepare
    const edges = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set<string>()],
    ]);

    // Act
    const cycles = findCycles(edges);

    // Assess
    expect(cycles).toEqual([['a', 'b', 'c', 'a']]);
  });
});
