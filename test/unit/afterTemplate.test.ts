/** The stack's part of jobs that run after jobs: the rule on the service's bus, its permission, onRunFinished's role. */
import { describe, expect, it } from 'vitest';
import { functions } from '../../functions/index.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import type { CfnResource } from '../../lib/infra/cfn.ts';
import { PROTECTED_STAGES } from '../../lib/infra/context.ts';
import { buildService } from '../../lib/infra/service.ts';
import { baseCatalog, baseJob, exampleCatalog } from '../helpers/catalogs.ts';
import { asList, iamStatements } from '../helpers/template.ts';

const build = (catalog: Catalog, stage = 'dev') => {
  const { config } = buildService({ stage, catalog, protectedStages: PROTECTED_STAGES }, functions);
  return config.resources?.Resources as unknown as Record<string, CfnResource>;
};

describe('Service definition: after triggers', () => {
  it('routes the finished runs of followed jobs on the service bus to onRunFinished, dead-lettering what it cannot deliver', () => {
    // Act
    const resources = build(exampleCatalog());

    // Assess
    const rule = resources.AfterRule;
    expect(rule?.Properties).toMatchObject({
      Name: 'longshore-dev-after',
      EventBusName: { Ref: 'RunEventsBus' },
      EventPattern: {
        source: ['longshore'],
        'detail-type': ['Run Succeeded', 'Run Failed', 'Run Timed Out', 'Run Cancelled'],
        detail: { stage: ['dev'], job: ['csv-ingest'] },
      },
      Targets: [
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': ['OnRunFinishedLambdaFunction', 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] } },
        }),
      ],
    });
    expect(JSON.stringify(resources.OnRunFinishedRulesPermission?.Properties?.SourceArn)).toContain(
      'rule/longshore-dev-runs/longshore-dev-*',
    );
  });

  it("gives onRunFinished the runs' reads and writes, the launch queue, the run-event bus and StopTask (a fan-out's tally)", () => {
    // Act
    const statements = iamStatements(build(exampleCatalog())).filter((s) => s.where.startsWith('OnRunFinishedRole/'));

    // Assess
    expect([...new Set(statements.flatMap((s) => asList(s.statement.Action)))].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'ecs:StopTask',
      'events:PutEvents',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:SendMessage',
    ]);
  });

  it('has no after rule and no permission to invoke onRunFinished when no job runs after another', () => {
    // Act
    const resources = build(validateCatalog(baseCatalog([baseJob()])));

    // Assess
    expect(resources.AfterRule).toBeUndefined();
    expect(resources.OnRunFinishedRulesPermission).toBeUndefined();
  });
});
