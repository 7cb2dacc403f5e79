/**
 * Every AWS SDK call the unit and integration tests made in this run (recorded by
 * recordSdkCalls.ts) held to the service's API model and to the rules the models state in prose.
 * This project runs after the others (vitest `sequence.groupOrder`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsSdkV2Version, botocoreData, type CallProblem, fullModel, ModelValidator, v2Model } from './apiModel.ts';
import { applyPendingFixes } from './pendingFixes.ts';
import type { RecordedCall } from './recordSdkCalls.ts';
import { PROSE_RULES, proseProblems, proseRuleCount } from './sdkRules.ts';

const dir = process.env.LONGSHORE_SDK_CALLS_DIR ?? '';
const calls: RecordedCall[] =
  dir && existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .flatMap((f) =>
          readFileSync(join(dir, f), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as RecordedCall),
        )
    : [];
const required = process.env.LONGSHORE_SDK_CALLS_REQUIRED === '1';

/**
 * Members the `aws-sdk` v2 models lack (the service added them after the model was frozen), each
 * checked below to be a member of the v3 client's request type and of botocore's model. None with
 * aws-sdk 2.1693.0: RunTask `clientToken` and DynamoDB `ReturnValuesOnConditionCheckFailure`,
 * missing from older v2 models, are in it (asserted below), and every recorded call fits.
 */
const MODEL_GAPS: { client: string; operation: string; member: string; v3Package: string; reason: string }[] = [];

const gapOf = (c: RecordedCall, p: CallProblem) =>
  MODEL_GAPS.find(
    (g) =>
      g.client === c.client &&
      g.operation === c.operation &&
      p.where === `${c.operation}.${g.member}` &&
      /not a member/.test(p.problem),
  );

/** One line per distinct problem (indices and map keys folded), with the first test that made it. */
const summarize = (found: { call: RecordedCall; problem: CallProblem }[]): string[] => {
  const seen = new Map<string, string>();
  for (const { call, problem } of found) {
    const where = problem.where.replace(/\[\d+\]/g, '[]');
    const key = `${call.client}.${where}: ${problem.problem.replace(/'[^']*'/g, "'…'")} [${problem.check}]`;
    if (!seen.has(key))
      seen.set(
        key,
        `${call.client} ${where}: ${problem.problem} [${problem.check}] (first in ${call.file.split('/test/')[1]} > ${call.test})`,
      );
  }
  return [...seen.values()];
};

describe('Recorded SDK calls of this run', () => {
  it('come from the unit and the integration tests, from mocked clients and from real ones (DynamoDB Local)', () => {
    // Act
    const from = new Set(
      calls.map((c) => `${c.file.includes('/test/integration/') ? 'integration' : 'unit'} ${c.via}`),
    );

    // Assess
    if (!required && calls.length === 0) {
      console.info(
        '[conformance] SDK calls: none recorded (run the unit and integration projects in the same vitest run)',
      );
      return;
    }
    expect([...from].sort()).toEqual(expect.arrayContaining(['integration mocked', 'integration real', 'unit mocked']));
    expect(calls.length).toBeGreaterThan(300);
  });

  const validated = calls.map((call) => {
    const v2 = v2Model(call.client);
    const full = fullModel(call.client);
    const structure = v2 ? new ModelValidator(v2, 'structure') : undefined;
    const constraints = full ? new ModelValidator(full, 'constraints') : undefined;
    const s = structure?.validateInput(call.operation, call.input);
    const c = constraints?.validateInput(call.operation, call.input);
    return {
      call,
      known: v2 !== undefined && s !== undefined,
      structure: (s ?? []).filter((p) => !gapOf(call, p)),
      gaps: (s ?? []).filter((p) => gapOf(call, p)),
      constraints: c ?? [],
      prose: proseProblems(call.client, call.operation, call.input),
      checks: (structure?.checks ?? 0) + (constraints?.checks ?? 0) + proseRuleCount(call.client, call.operation),
    };
  });

  it('name an operation of a known service model', () => {
    // Act
    const unknown = validated.filter((v) => !v.known).map((v) => `${v.call.client}.${v.call.operation}`);

    // Assess
    expect([...new Set(unknown)]).toEqual([]);
  });

  it(`fit the structure of the aws-sdk ${awsSdkV2Version} API models (members, required members, types)`, () => {
    // Assess
    expect(summarize(validated.flatMap((v) => v.structure.map((problem) => ({ call: v.call, problem }))))).toEqual([]);
  });

  it(`fit the constraints of the full models (enums, lengths, ranges, patterns; botocore ${botocoreData?.version ?? 'not installed'})`, () => {
    // Assess
    if (!botocoreData) {
      console.info('[conformance] botocore not installed: enums, lengths, ranges and patterns were not checked');
      expect(required && process.env.LONGSHORE_REQUIRE_BOTOCORE === '1').toBe(false);
      return;
    }
    expect(summarize(validated.flatMap((v) => v.constraints.map((problem) => ({ call: v.call, problem }))))).toEqual(
      [],
    );
  });

  it('follow the rules the models state in prose, beyond pending fixes', () => {
    // Act
    const problems = validated.flatMap((v) => v.prose.map((problem) => ({ call: v.call, problem })));
    const { failing } = applyPendingFixes(
      problems.map((p) => ({ ...p, check: p.problem.check, where: p.problem.where })),
    );

    // Assess
    expect(summarize(failing)).toEqual([]);
  });

  it('have no pending SDK fix that matches nothing (delete the entry once its fix is merged)', () => {
    // Act
    const problems = validated.flatMap((v) => v.prose);
    const { unused } = applyPendingFixes(problems, undefined, (f) => PROSE_RULES.some((r) => r.id === f.check));

    // Assess
    if (calls.length === 0) return;
    expect(unused.map((f) => f.defect)).toEqual([]);
  });

  it('use members missing from the v2 models only as listed known gaps, each a member of the v3 client types', () => {
    // Prepare
    const require = createRequire(import.meta.url);
    const v3Types = (pkg: string) => {
      const types = join(dirname(require.resolve(`${pkg}/package.json`)), 'dist-types', 'models');
      return readdirSync(types)
        .filter((f) => f.endsWith('.d.ts'))
        .map((f) => readFileSync(join(types, f), 'utf8'))
        .join('\n');
    };

    // Act
    const notInV3 = MODEL_GAPS.filter((g) => {
      const text = v3Types(g.v3Package);
      const start = text.indexOf(`export interface ${g.operation}Input {`);
      const body = start < 0 ? '' : text.slice(start, text.indexOf('\n}', start));
      return !body.includes(`${g.member}?:`);
    });
    const notInBotocore = botocoreData
      ? MODEL_GAPS.filter((g) => {
          const m = fullModel(g.client);
          const shape = m?.operations[g.operation]?.input?.shape;
          return !shape || !m?.shapes[shape]?.members?.[g.member];
        })
      : [];

    // Assess
    expect(notInV3).toEqual([]);
    expect(notInBotocore).toEqual([]);
  });

  it('has the members older v2 models lacked: RunTask clientToken, ReturnValuesOnConditionCheckFailure', () => {
    // Act
    const ecs = v2Model('ECS')?.operations.RunTask?.input?.members ?? {};
    const ddb = v2Model('DynamoDB')?.operations.PutItem?.input?.members ?? {};

    // Assess
    expect(['clientToken' in ecs, 'ReturnValuesOnConditionCheckFailure' in ddb]).toEqual([true, true]);
  });

  it('uses every listed model gap (a gap no call needs is deleted)', () => {
    // Assess
    if (calls.length === 0) return;
    const used = new Set(validated.flatMap((v) => v.gaps.map((p) => `${v.call.client}.${p.where}`)));
    expect(MODEL_GAPS.filter((g) => !used.has(`${g.client}.${g.operation}.${g.member}`))).toEqual([]);
  });

  it('reports the counts of what was checked', () => {
    // Act
    const checks = validated.reduce((n, v) => n + v.checks, 0);
    const operations = new Set(calls.map((c) => `${c.client}.${c.operation}`));
    const gaps = validated.reduce((n, v) => n + v.gaps.length, 0);

    // Assess
    console.info(
      `[conformance] SDK calls: ${calls.length} calls (${calls.filter((c) => c.via === 'real').length} real, ${calls.filter((c) => c.via === 'mocked').length} mocked) of ${operations.size} operations; ${checks} checks against the aws-sdk ${awsSdkV2Version} models${botocoreData ? ` and botocore ${botocoreData.version}` : ''} and ${PROSE_RULES.length} prose rules; ${gaps} uses of known model gaps`,
    );
    expect(checks >= calls.length).toBe(true);
  });
});

describe('Class: ModelValidator and the prose rules (seeded mistakes)', () => {
  const ecs = () => {
    const m = v2Model('ECS');
    if (!m) throw new Error('no ECS model');
    return new ModelValidator(m, 'structure');
  };

  it('refuses an unknown member, a missing required member and a wrong type', () => {
    // Act
    const problems = ecs().validateInput('RunTask', {
      cluster: 'c',
      count: '1',
      launchtype: 'FARGATE',
      overrides: { containerOverrides: [{ name: 'main', cpu: 256.5 }] },
    });

    // Assess
    expect(problems?.map((p) => `${p.where}: ${p.problem}`)).toEqual([
      'RunTask: required member taskDefinition is missing',
      'RunTask.count: expected an integer, got "1"',
      'RunTask.launchtype: is not a member of the model',
      'RunTask.overrides.containerOverrides[0].cpu: expected an integer, got 256.5',
    ]);
  });

  it('refuses a value outside an enum, a length or a range when the full model is installed', () => {
    // Prepare
    const full = fullModel('SQS');
    if (!full) return expect(botocoreData).toBeUndefined();

    // Act
    const problems = new ModelValidator(full, 'constraints').validateInput('ChangeMessageVisibility', {
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/q',
      ReceiptHandle: 'r',
      VisibilityTimeout: 1.5,
    });
    const enums = new ModelValidator(fullModel('ECS') ?? full, 'constraints').validateInput('RunTask', {
      taskDefinition: 'td',
      launchType: 'LAMBDA',
    });

    // Assess
    expect(problems?.map((p) => p.problem)).toEqual(['expected an integer, got 1.5']);
    expect(enums?.map((p) => p.problem)).toEqual([
      expect.stringMatching(/^'LAMBDA' is not one of EC2, FARGATE, EXTERNAL/),
    ]);
  });

  it.each([
    [
      'ECS',
      'ListTasks',
      { cluster: 'c', startedBy: 'longshore/x/y/1', desiredStatus: 'STOPPED' },
      'ecs-listtasks-startedby-only-filter',
    ],
    [
      'ECS',
      'RunTask',
      { taskDefinition: 't', launchType: 'FARGATE', capacityProviderStrategy: [] },
      'ecs-runtask-launchtype-xor-strategy',
    ],
    [
      'ECS',
      'RunTask',
      { taskDefinition: 't', overrides: { containerOverrides: [{ name: 'm', command: ['x'.repeat(8200)] }] } },
      'ecs-runtask-overrides-8192',
    ],
    ['ECS', 'RunTask', { taskDefinition: 't', clientToken: 'x'.repeat(65) }, 'ecs-runtask-client-token'],
    ['ECS', 'RunTask', { taskDefinition: 't', clientToken: 'has space' }, 'ecs-runtask-client-token'],
    ['ECS', 'RunTask', { taskDefinition: 't', startedBy: 'run:1' }, 'ecs-runtask-started-by'],
    [
      'ECS',
      'RunTask',
      { taskDefinition: 't', tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) },
      'ecs-runtask-tags',
    ],
    ['ECS', 'RunTask', { taskDefinition: 't', tags: [{ key: 'aws:owner', value: 'me' }] }, 'ecs-runtask-tags'],
    ['ECS', 'RunTask', { taskDefinition: 't', tags: [{ key: 'k', value: 'a#b' }] }, 'ecs-runtask-tags'],
    ['ECS', 'StopTask', { task: 't', reason: 'r'.repeat(256) }, 'ecs-stoptask-reason-255'],
    ['SQS', 'SendMessage', { QueueUrl: 'q', MessageBody: 'b', DelaySeconds: 901 }, 'sqs-delay-seconds-900'],
    [
      'SQS',
      'SendMessageBatch',
      { QueueUrl: 'q', Entries: [{ Id: '1', MessageBody: 'b', DelaySeconds: -1 }] },
      'sqs-delay-seconds-900',
    ],
    [
      'EventBridge',
      'PutEvents',
      { Entries: [{ Source: 's', DetailType: 'd', Detail: '[1]' }] },
      'eventbridge-putevents-entry',
    ],
    [
      'EventBridge',
      'PutEvents',
      { Entries: [{ Source: 's', DetailType: 'd', Detail: JSON.stringify({ x: 'y'.repeat(262_144) }) }] },
      'eventbridge-putevents-entry',
    ],
    ['SNS', 'Publish', { TopicArn: 't', Message: 'm', Subject: 's'.repeat(100) }, 'sns-publish-subject'],
    ['SNS', 'Publish', { TopicArn: 't', Message: 'm', Subject: 'two\nlines' }, 'sns-publish-subject'],
  ])('flags a %s %s call that breaks its rule', (client, operation, input, rule) => {
    // Act
    const problems = proseProblems(client, operation, input);

    // Assess
    expect(problems.map((p) => p.check)).toEqual([rule]);
  });
});
