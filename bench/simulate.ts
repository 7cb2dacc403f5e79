/**
 * Runs one scenario of the simulated service (bench/sim/world.ts) in its own Node 24 process, on
 * its own table, and checks the table afterwards: every run the uploads created must be final.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchGetItemCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { compileChild } from './build/bundles.ts';
import type { Packaged } from './build/package.ts';
import {
  ensureRunsTable,
  FIXTURES,
  JOB_INDEX,
  jobGsiPk,
  type LocalDynamo,
  localClientConfig,
  NODE,
  ROOT,
  WORK,
} from './production.ts';
import type { Scenario, SimConfig, SimResult } from './sim/world.ts';

export interface TableState {
  runs: number;
  byStatus: Record<string, number>;
  /** Runs the uploads created that the table does not have final. */
  notFinal: number;
}

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'SKIPPED']);

export const tableState = async (endpoint: string, table: string, runIds: string[]): Promise<TableState> => {
  const db = new DynamoDBClient(localClientConfig(endpoint));
  const status = new Map<string, string>();
  let start: Record<string, never> | undefined;
  try {
    do {
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: JOB_INDEX.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': JOB_INDEX.pk },
          ExpressionAttributeValues: { ':pk': { S: jobGsiPk(FIXTURES.uploadJob) } },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      // The index projects keys only: the runs themselves come from the table.
      const keys = (out.Items ?? []).map((i) => ({ pk: i.pk, sk: i.sk })) as unknown as Record<string, never>[];
      for (let i = 0; i < keys.length; i += 100) {
        let pending = keys.slice(i, i + 100);
        while (pending.length > 0) {
          const got = await db.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending } } }));
          for (const item of got.Responses?.[table] ?? []) {
            const run = unmarshall(item) as { runId: string; status: string };
            status.set(run.runId, run.status);
          }
          pending = (got.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, never>[];
        }
      }
      start = out.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
  } finally {
    db.destroy();
  }
  const byStatus: Record<string, number> = {};
  for (const s of status.values()) byStatus[s] = (byStatus[s] ?? 0) + 1;
  return {
    runs: status.size,
    byStatus,
    notFinal: runIds.filter((id) => !FINAL.has(status.get(id) ?? '')).length,
  };
};

export const simulate = async (opts: {
  pkg: Packaged;
  ddb: LocalDynamo;
  scenario: Scenario;
  timeoutSeconds: number;
}): Promise<{ result: SimResult; table: TableState }> => {
  const table = `bench-${opts.scenario.name}-${randomBytes(3).toString('hex')}`;
  await ensureRunsTable(opts.ddb.endpoint, table, { ttl: false });
  const script = await compileChild('simulate');
  const fn = (key: string) => {
    const f = opts.pkg.functions.find((x) => x.key === key);
    if (!f) throw new Error(`no function ${key} in the package`);
    return f;
  };
  const keys = ['onUpload', 'launcher', 'onTaskStateChange', 'sweeper', 'alert'] as const;
  const config: SimConfig = {
    startMs: Math.floor(Date.now() / 1000) * 1000,
    dynamoEndpoint: opts.ddb.endpoint,
    bundles: Object.fromEntries(keys.map((k) => [k, fn(k).mjsPath])) as SimConfig['bundles'],
    env: Object.fromEntries(keys.map((k) => [k, { ...fn(k).environment, LONGSHORE_TABLE: table }])),
    commonEnv: {
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      LONGSHORE_TABLE: table,
      // The simulation counts AWS calls and simulated time, not CPU: logs and EMF metrics (stdout
      // only, no AWS call) are turned down so that the run takes less real time.
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    timeouts: Object.fromEntries(keys.map((k) => [k, fn(k).timeoutSeconds])),
    platform: opts.pkg.platform,
    scenario: opts.scenario,
  };
  const dir = join(WORK, 'sim');
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, `${opts.scenario.name}.config.json`);
  const resultPath = join(dir, `${opts.scenario.name}.result.json`);
  writeFileSync(configPath, JSON.stringify(config, null, 1));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(NODE, [script, configPath, resultPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        BENCH_ROOT: ROOT,
        ...(process.env.BENCH_SIM_PROGRESS ? { BENCH_SIM_PROGRESS: '1' } : {}),
        ...(process.env.BENCH_TRACE_DDB ? { BENCH_TRACE_DDB: '1' } : {}),
      },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      if (process.env.BENCH_SIM_PROGRESS || process.env.BENCH_TRACE_DDB) process.stderr.write(d);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`scenario ${opts.scenario.name} did not finish within ${opts.timeoutSeconds} s`));
    }, opts.timeoutSeconds * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`scenario ${opts.scenario.name} exited with ${code}: ${stderr}`));
    });
  });
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as SimResult;
  return { result, table: await tableState(opts.ddb.endpoint, table, result.runIds) };
};
