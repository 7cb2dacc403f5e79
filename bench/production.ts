/**
 * Everything the benchmarks know about the production code, in one place, so that a restructuring
 * (issue 11) repoints one file. The benches measure the DEPLOYED artifacts (`osls package` output:
 * bundles, template, esbuild options); from the source tree they take only:
 * - the local DynamoDB engines and the runs table (`lib/local/dynamo.ts`);
 * - the table's key layout (`lib/domain/keys.ts`), for the harness's setup and end-state checks;
 * - the job catalog (`jobs.ts`), to choose fixture jobs, and the sample events (`events/`).
 * Nothing here imports a use case: the handlers run from their bundles, as Lambda runs them.
 */
import { FIXTURES } from './fixtures.ts';

export { GSI1 as JOB_INDEX, GSI2 as ACTIVE_INDEX, jobGsiPk, RUN_SK, runPk } from '../lib/domain/keys.ts';

export {
  ensureRunsTable,
  type LocalDynamo,
  localClientConfig,
  startDynamoDbLocal,
} from '../lib/local/dynamo.ts';
export { BENCH_STAGE, FIXTURES, NODE, ROOT, sampleEvent, WORK } from './fixtures.ts';

export const checkFixtures = async (): Promise<string[]> => {
  const { default: catalog } = (await import('../jobs.ts')) as {
    default: {
      jobs: {
        name: string;
        maxConcurrent?: number;
        alerts?: unknown;
        policy?: { retries?: number };
        triggers: { type: string; bucket?: string; prefix?: string; suffix?: string; overlap?: string }[];
      }[];
    };
  };
  const problems: string[] = [];
  const job = (name: string) => catalog.jobs.find((j) => j.name === name);
  const upload = job(FIXTURES.uploadJob);
  if (!upload) problems.push(`jobs.ts has no job '${FIXTURES.uploadJob}'`);
  else {
    if (upload.maxConcurrent !== FIXTURES.uploadMaxConcurrent)
      problems.push(
        `${FIXTURES.uploadJob}.maxConcurrent is ${upload.maxConcurrent}, the bench expects ${FIXTURES.uploadMaxConcurrent}`,
      );
    if (
      !upload.triggers.some(
        (t) =>
          t.type === 's3' &&
          t.bucket === FIXTURES.uploadBucket &&
          t.prefix === FIXTURES.uploadPrefix &&
          t.suffix === FIXTURES.uploadSuffix,
      )
    )
      problems.push(
        `${FIXTURES.uploadJob} has no s3 trigger ${FIXTURES.uploadBucket}/${FIXTURES.uploadPrefix}*${FIXTURES.uploadSuffix}`,
      );
    if (upload.policy?.retries !== undefined && upload.policy.retries !== FIXTURES.uploadRetries)
      problems.push(`${FIXTURES.uploadJob}.policy.retries changed`);
  }
  const schedule = job(FIXTURES.scheduleJob);
  if (!schedule?.triggers.some((t) => t.type === 'schedule' && t.overlap === 'forbid'))
    problems.push(`${FIXTURES.scheduleJob} has no schedule trigger with overlap forbid`);
  const alert = job(FIXTURES.alertJob);
  if (!alert || (alert.alerts !== undefined && alert.alerts !== 'default'))
    problems.push(`${FIXTURES.alertJob} does not use the default alert route`);
  return problems;
};

/**
 * DynamoDB Local for the benchmarks. Its JVM gets a fixed 1 GB heap and the parallel collector
 * (JAVA_TOOL_OPTIONS): about 15% more requests per second here than its defaults, same behaviour.
 */
export const startBenchDynamo = async (): Promise<import('../lib/local/dynamo.ts').LocalDynamo> => {
  const { startDynamoDbLocal } = await import('../lib/local/dynamo.ts');
  const before = process.env.JAVA_TOOL_OPTIONS;
  process.env.JAVA_TOOL_OPTIONS = '-XX:+UseParallelGC -Xms512m -Xmx1g';
  try {
    return await startDynamoDbLocal();
  } finally {
    if (before === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = before;
  }
};
