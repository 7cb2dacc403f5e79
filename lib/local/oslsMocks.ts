/**
 * For users who live in the Serverless CLI: `npm run invoke -- -f <function> -p events/<file>`
 * (osls invoke local) with LONGSHORE_LOCAL_MOCKS=1. esbuild injects this module into the bundles of
 * local-invoke builds only (never into deployed ones); it runs before the handler module and:
 * points DynamoDB at an embedded dynalite persisted in `.longshore/osls` (so a sequence of invokes
 * plays a run), installs the local flow's simulation of AWS in record-only mode (the simulated ECS
 * runs nothing, the queue delivers nothing), and prints every AWS call with its input to stderr
 * when the process ends.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { activeCatalog } from '../catalog/active.ts';
import { clusterName, tableName } from '../domain/names.ts';
import { tableKeySchema } from '../infra/platform.ts';
import { installAwsSimulation, recordingSend } from './awsSimulation.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_STAGE, localEnvironment } from './environment.ts';
import { LocalQueue } from './LocalQueue.ts';
import { LocalSchedules } from './LocalSchedules.ts';
import { Recorder } from './Recorder.ts';
import { SimulatedEcs } from './SimulatedEcs.ts';

if (process.env.LONGSHORE_LOCAL_MOCKS === '1') {
  const port = Number(process.env.LONGSHORE_LOCAL_DDB_PORT ?? 45873);
  const table = tableName(LOCAL_STAGE);
  Object.assign(process.env, localEnvironment(LOCAL_STAGE, `http://127.0.0.1:${port}`, ['default']));

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
      region: LOCAL_REGION,
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

  const recorder = new Recorder();
  // The handler builds its clients at import, after this module: every DynamoDB call waits until the
  // engine and the table are there, and the document client's (the store's) are recorded.
  const original = DynamoDBClient.prototype.send as (
    this: DynamoDBClient,
    command: unknown,
  ) => Promise<{ TableNames?: string[] }>;
  for (const proto of [DynamoDBClient.prototype, DynamoDBDocumentClient.prototype] as {
    send: (...a: unknown[]) => Promise<unknown>;
  }[]) {
    const send = proto.send;
    const recorded = proto === (DynamoDBDocumentClient.prototype as unknown);
    proto.send = async function (this: unknown, ...args: unknown[]) {
      await ready;
      const call = (...a: unknown[]) => send.apply(this, a);
      const [command, ...rest] = args;
      return recorded ? recordingSend(recorder, call)(command, ...rest) : call(...args);
    };
  }

  const clusterArn = `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster/${clusterName(LOCAL_STAGE)}`;
  installAwsSimulation({
    recorder,
    ecs: new SimulatedEcs({
      stage: LOCAL_STAGE,
      clusterArn,
      catalog: activeCatalog,
      script: () => undefined,
      emit: () => undefined,
      secrets: () => ({}),
      logsDir: join(dir, 'logs'),
      bucketsDir: join(dir, 'buckets'),
      projectDir: project,
      recordOnly: true,
    }),
    queue: new LocalQueue({ visibilityMs: 2000, maxReceives: 10 }),
    schedules: new LocalSchedules({ stage: LOCAL_STAGE, catalog: activeCatalog }),
    // Webhook secrets are `webhook.local` URLs here: a post is received, never sent.
    secretValues: () => ({}),
    alertRoutes: () => activeCatalog().alerts,
  });

  process.on('exit', () => {
    const calls = recorder.calls;
    process.stderr.write(`\n[longshore] ${calls.length} AWS call(s) (mocked; DynamoDB on dynalite in ${dir}):\n`);
    for (const [i, c] of calls.entries()) {
      process.stderr.write(
        `  ${i + 1}. ${c.service} ${c.command} ${JSON.stringify(c.input, (_k, v) => (v instanceof Set ? [...v] : v)).slice(0, 400)}\n`,
      );
    }
  });
}
