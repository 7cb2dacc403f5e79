/**
 * `runs retry` with changes and `runs list --summary` against a deployed stage: the CLI in this
 * process, AWS mocked with aws-sdk-client-mock (the stack's outputs, the control function, the table).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../../lib/cli/exitCodes.ts';
import { runMain } from '../../../helpers/cliInProcess.ts';
import { runItem } from '../../../helpers/items.ts';

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const ddb = mockClient(DynamoDBDocumentClient);
const stage = ['--stage', 'prod', '--region', 'eu-west-1'];

beforeEach(() => {
  for (const m of [cfn, lambda, ddb]) m.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'longshore-prod',
        CreationTime: new Date('2026-11-01T00:00:00Z'),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [
          { OutputKey: 'RunsTableName', OutputValue: 'longshore-prod-runs' },
          { OutputKey: 'ControlFunctionName', OutputValue: 'longshore-prod-control' },
        ],
      },
    ],
  });
});

describe('Command: runs retry (a stage)', () => {
  it('sends the changes with the retry to the control function, and prints its answer as JSON', async () => {
    // Prepare
    const answer = {
      ok: true,
      action: 'retry',
      runId: 'csv-ingest-bbbbbbbbbbbbbbbbbbbb',
      status: 'QUEUED',
      created: true,
    };
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(answer)) as never });

    // Act
    const r = await runMain([
      'runs',
      'retry',
      'csv-ingest-aaaaaaaaaaaaaaaaaaaa',
      '--env',
      'BATCH_ROWS=500',
      '--cpu',
      '2048',
      '--memory',
      '4096',
      '--token',
      'retry-1',
      ...stage,
      '--json',
    ]);

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.out)).toMatchObject({ runId: answer.runId, created: true });
    const sent = JSON.parse(
      new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload as Uint8Array),
    );
    expect(sent).toMatchObject({
      action: 'retry',
      runId: 'csv-ingest-aaaaaaaaaaaaaaaaaaaa',
      clientToken: 'retry-1',
      overrides: { environment: { BATCH_ROWS: '500' }, cpu: 2048, memory: 4096 },
    });
  });

  it('sends --image-tag with the retry, and refuses --image-tag with --image or a bad tag before asking the stage', async () => {
    // Prepare
    const answer = {
      ok: true,
      action: 'retry',
      runId: 'csv-ingest-bbbbbbbbbbbbbbbbbbbb',
      status: 'QUEUED',
      created: true,
    };
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(answer)) as never });
    const run = 'csv-ingest-aaaaaaaaaaaaaaaaaaaa';

    // Act
    const r = await runMain(['runs', 'retry', run, '--image-tag', '1.13.1', ...stage]);
    const both = await runMain(['runs', 'retry', run, '--image-tag', '1.13.1', '--image', 'acme/x:1', ...stage]);
    const bad = await runMain(['runs', 'retry', run, '--image-tag', '-bad', ...stage]);

    // Assess
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('with image tag 1.13.1');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    const sent = JSON.parse(
      new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload as Uint8Array),
    );
    expect(sent).toMatchObject({ action: 'retry', runId: run, overrides: { imageTag: '1.13.1' } });
    expect(both.code).toBe(EXIT.invalid);
    expect(both.err).toContain('give --image-tag or --image, not both');
    expect(bad.code).toBe(EXIT.invalid);
    expect(bad.err).toContain("--image-tag '-bad'");
  });

  it('refuses a malformed change before asking the stage', async () => {
    // Act
    const r = await runMain(['runs', 'retry', 'csv-ingest-aaaaaaaaaaaaaaaaaaaa', '--cpu', 'two', ...stage]);

    // Assess
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toContain('--cpu');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});

describe('Command: runs list --summary (a stage)', () => {
  it("sums the window's runs of a job: runs, success rate, p50/p95 duration and recorded cost", async () => {
    // Prepare
    const at = (m: number) => new Date(Date.parse('2026-11-22T08:00:00Z') + m * 60_000).toISOString();
    const items = [
      runItem(
        'csv-ingest',
        { type: 'manual', token: 'a' },
        { status: 'SUCCEEDED', createdAt: at(0), finishedAt: at(10), costUsd: 0.01 },
      ),
      runItem(
        'csv-ingest',
        { type: 'manual', token: 'b' },
        { status: 'SUCCEEDED', createdAt: at(1), finishedAt: at(3), costUsd: 0.02 },
      ),
      runItem(
        'csv-ingest',
        { type: 'manual', token: 'c' },
        { status: 'FAILED', createdAt: at(2), finishedAt: at(6), costUsd: 0.005 },
      ),
      runItem(
        'csv-ingest',
        { type: 'manual', token: 'd' },
        { status: 'CANCELLED', createdAt: at(3), finishedAt: at(4) },
      ),
    ];
    // The index projects keys only: the query answers keys, BatchGetItem the runs.
    ddb.on(QueryCommand).resolves({ Items: items.map((i) => ({ pk: i.pk, sk: i.sk })) });
    ddb.on(BatchGetCommand).resolves({ Responses: { 'longshore-prod-runs': items } });

    // Act
    const r = await runMain([
      'runs',
      'list',
      '--job',
      'csv-ingest',
      '--summary',
      '--since',
      '2026-11-22',
      ...stage,
      '--json',
    ]);

    // Assess
    expect(r.code).toBe(EXIT.ok);
    const doc = JSON.parse(r.out) as { window: { from: string }; jobs: Record<string, unknown>[] };
    expect(doc.window.from).toBe('2026-11-22T00:00:00.000Z');
    expect(doc.jobs).toHaveLength(1);
    expect(doc.jobs[0]).toMatchObject({
      job: 'csv-ingest',
      runs: 4,
      byStatus: { SUCCEEDED: 2, FAILED: 1, CANCELLED: 1 },
      p50Seconds: 240,
      p95Seconds: 600,
    });
    expect(doc.jobs[0]?.successRate).toBeCloseTo(2 / 3, 10);
    expect(doc.jobs[0]?.costUsd).toBeCloseTo(0.035, 10);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { TableName: 'longshore-prod-runs', IndexName: 'byJob' });
  });

  it('refuses --status with --summary, which counts every run of the window', async () => {
    // Act
    const r = await runMain(['runs', 'list', '--summary', '--status', 'FAILED', ...stage]);

    // Assess
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toContain('--summary counts every run of the window; it takes no --status');
  });
});
