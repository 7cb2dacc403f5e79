/**
 * For users who live in the Serverless CLI: `npm run invoke -- -f <function> -p events/<file>`
 * (osls invoke local) with LONGSHORE_LOCAL_MOCKS=1. esbuild injects this module into the bundles of
 * local-invoke builds only (never into deployed ones); it runs before the handler module and:
 * points DynamoDB at an embedded dynalite persisted in `.longshore/osls` (so a sequence of invokes
 * plays a run), mocks ECS, SQS, EventBridge, SNS and Secrets Manager with aws-sdk-client-mock, and
 * prints every AWS call with its input to stderr when the process ends.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { tableName } from '../domain/names.ts';
import { tableKeySchema } from '../infra/platform.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, localEnvironment } from './environment.ts';

const enabled = process.env.LONGSHORE_LOCAL_MOCKS === '1';

if (enabled) {
  const stage = 'dev';
  const port = Number(process.env.LONGSHORE_LOCAL_DDB_PORT ?? 45873);
  const table = tableName(stage);
  const account = LOCAL_ACCOUNT;
  const region = LOCAL_REGION;
  Object.assign(process.env, localEnvironment(stage, `http://127.0.0.1:${port}`, ['default']));

  const calls: { service: string; command: string; input: unknown }[] = [];
  const record = (service: string, command: string) => async (input: unknown) => {
    calls.push({ service, command, input });
    return undefined;
  };

  // osls runs the bundle from .esbuild/.build: the project is the nearest folder up with serverless.ts.
  let project = process.env.INIT_CWD ?? process.cwd();
  for (let d = process.cwd(); d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, 'serverless.ts'))) {
      project = d;
      break;
    }
  }
  // dynalite is required at run time (it is excluded from the bundle: it loads a native LevelDB build).
  // LONGSHORE_LOCAL_STATE moves the store (tests use a fresh one so earlier invokes do not count).
  const dir = process.env.LONGSHORE_LOCAL_STATE ?? join(project, '.longshore', 'osls');
  mkdirSync(dir, { recursive: true });
  const dynalite = createRequire(join(process.cwd(), 'package.json'))('dynalite') as (
    o: object,
  ) => import('node:http').Server;
  const server = dynalite({ path: join(dir, 'ddb'), createTableMs: 0 });
  const ready = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.unref();
      resolve();
    });
  }).then(async () => {
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { TableNames = [] } = await original.call(client, new ListTablesCommand({}));
    if (!TableNames.includes(table))
      await original.call(
        client,
        new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST', ...tableKeySchema() }),
      );
    client.destroy();
  });
  // Every DynamoDB call waits until the engine and the table are there.
  const original = DynamoDBClient.prototype.send as (
    this: DynamoDBClient,
    command: unknown,
  ) => Promise<{ TableNames?: string[] }>;
  for (const proto of [DynamoDBClient.prototype, DynamoDBDocumentClient.prototype] as {
    send: (...a: unknown[]) => Promise<unknown>;
  }[]) {
    const send = proto.send;
    proto.send = async function (this: unknown, ...args: unknown[]) {
      await ready;
      const c = args[0] as { constructor: { name: string }; input: unknown };
      if (proto === (DynamoDBDocumentClient.prototype as unknown))
        calls.push({ service: 'DynamoDB', command: c.constructor.name.replace(/Command$/, ''), input: c.input });
      return send.apply(this, args);
    };
  }

  const taskArn = (token: string) =>
    `arn:aws:ecs:${region}:${account}:task/longshore-${stage}/${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
  const ecs = mockClient(ECSClient);
  ecs.on(RunTaskCommand).callsFake(async (input) => {
    await record('ECS', 'RunTask')(input);
    return {
      tasks: [{ taskArn: taskArn(input.clientToken ?? randomUUID()), lastStatus: 'PROVISIONING' }],
      failures: [],
    };
  });
  ecs.on(StopTaskCommand).callsFake(async (input) => (await record('ECS', 'StopTask')(input)) ?? {});
  ecs.on(DescribeTasksCommand).callsFake(async (input) => {
    await record('ECS', 'DescribeTasks')(input);
    return { tasks: [], failures: (input.tasks ?? []).map((arn: string) => ({ arn, reason: 'MISSING' })) };
  });
  ecs.on(ListTasksCommand).callsFake(async (input) => (await record('ECS', 'ListTasks')(input)) ?? { taskArns: [] });
  mockClient(SQSClient)
    .on(SendMessageBatchCommand)
    .callsFake(async (input) => {
      await record('SQS', 'SendMessageBatch')(input);
      return {
        Successful: (input.Entries ?? []).map((e: { Id?: string }) => ({ Id: e.Id, MessageId: randomUUID() })),
        Failed: [],
      };
    });
  mockClient(EventBridgeClient)
    .on(PutEventsCommand)
    .callsFake(async (input) => {
      await record('EventBridge', 'PutEvents')(input);
      return { FailedEntryCount: 0, Entries: (input.Entries ?? []).map(() => ({ EventId: randomUUID() })) };
    });
  mockClient(SNSClient)
    .on(PublishCommand)
    .callsFake(async (input) => {
      await record('SNS', 'Publish')(input);
      return { MessageId: randomUUID() };
    });
  mockClient(SecretsManagerClient)
    .on(GetSecretValueCommand)
    .callsFake(async (input) => {
      await record('SecretsManager', 'GetSecretValue')({ SecretId: input.SecretId });
      return { SecretString: `https://webhook.local/${encodeURIComponent(String(input.SecretId))}` };
    });
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (url: string | URL | Request, init?: RequestInit) =>
    new URL(String(url instanceof Request ? url.url : url)).host === 'webhook.local'
      ? new Response('ok')
      : realFetch(url, init)) as typeof fetch;

  process.on('exit', () => {
    process.stderr.write(`\n[longshore] ${calls.length} AWS call(s) (mocked; DynamoDB on dynalite in ${dir}):\n`);
    for (const [i, c] of calls.entries()) {
      process.stderr.write(
        `  ${i + 1}. ${c.service} ${c.command} ${JSON.stringify(c.input, (_k, v) => (v instanceof Set ? [...v] : v)).slice(0, 400)}\n`,
      );
    }
  });
}
