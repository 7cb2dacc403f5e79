/**
 * The environment the handlers get off AWS: every variable of the contract (lib/config.ts) with
 * the values the stack would give a stage in an account and Region (its resources are named by
 * lib/domain/names.ts), so the local flow, `longshore invoke`, `osls invoke local`, the tests and
 * the benchmarks all build it the same way.
 */
import { arnIn } from '../catalog/arn.ts';
import type { Catalog } from '../catalog/schema.ts';
import type { EnvName } from '../config.ts';
import { queueKeys } from '../domain/eventTrigger.ts';
import { alertTopicName, clusterName, eventBusName, launchQueueName, tableName } from '../domain/names.ts';

/** The local flow imitates the `dev` stage, so the sample events in events/ (stage dev) all apply. */
export const LOCAL_STAGE = 'dev';
/** AWS's documentation account, as in the sample events of events/, so they match the local cluster. */
export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'eu-west-1';
/** Webhook URLs default to this host locally; the local flow receives posts to it itself. */
export const WEBHOOK_HOST = 'webhook.local';

/** Retry backoffs run 10x faster on this machine unless LONGSHORE_LOCAL_DELAY_SCALE says otherwise (1 = real time). */
export const localDelayScale = (): number => {
  const v = Number(process.env.LONGSHORE_LOCAL_DELAY_SCALE ?? 0.1);
  return Number.isFinite(v) && v >= 0 ? v : 0.1;
};

/** A network as `LONGSHORE_NETWORKS` carries it: ids as comma-separated lists. */
export interface NetworkVariable {
  subnets: string;
  securityGroups: string;
  assignPublicIp: boolean;
}

export interface StackPlace {
  stage: string;
  region: string;
  account: string;
  networks: Record<string, NetworkVariable>;
  runTaskRate: number;
}

/**
 * The contract's variables for a stage, as the stack sets them (names derived, not resolved).
 *
 * @example stackEnvironment({ stage: 'test', region: 'eu-west-1', account: '111122223333', networks, runTaskRate: 1000 })
 */
export const stackEnvironment = (p: StackPlace): Record<EnvName, string> => ({
  LONGSHORE_STAGE: p.stage,
  LONGSHORE_TABLE: tableName(p.stage),
  LONGSHORE_EVENT_BUS: eventBusName(p.stage),
  LONGSHORE_LAUNCH_QUEUE_URL: `https://sqs.${p.region}.amazonaws.com/${p.account}/${launchQueueName(p.stage)}`,
  LONGSHORE_CLUSTER_ARN: `arn:aws:ecs:${p.region}:${p.account}:cluster/${clusterName(p.stage)}`,
  LONGSHORE_ALERT_TOPIC_ARN: `arn:aws:sns:${p.region}:${p.account}:${alertTopicName(p.stage)}`,
  LONGSHORE_NETWORKS: JSON.stringify(p.networks),
  LONGSHORE_RUN_TASK_RATE: String(p.runTaskRate),
});

/** A made-up network for each of the catalog's networks (the simulated ECS does not look at it). */
const localNetworks = (names: readonly string[]): Record<string, NetworkVariable> =>
  Object.fromEntries(
    names.map((n) => [
      n,
      { subnets: 'subnet-0local00000000001', securityGroups: 'sg-0local00000000001', assignPublicIp: false },
    ]),
  );

/** This machine's environment: the local stage's, the embedded store's endpoint, no metrics. */
export const localEnvironment = (
  stage: string,
  ddbEndpoint: string,
  networkNames: readonly string[],
): Record<string, string> => ({
  ...stackEnvironment({
    stage,
    region: LOCAL_REGION,
    account: LOCAL_ACCOUNT,
    networks: localNetworks(networkNames),
    runTaskRate: 20,
  }),
  LONGSHORE_LOCAL: '1',
  // The stack sets it only with a batched trigger; here it is always there (PutObject is simulated).
  LONGSHORE_MANIFEST_BUCKET: `longshore-${stage}-manifests`,
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint,
  POWERTOOLS_METRICS_DISABLED: 'true',
});

/**
 * A queue of an sqs trigger as it is on this machine: a literal ARN in the local account and Region,
 * a stage parameter a queue of the parameter's name there.
 */
export const localQueueArn = (key: string): string =>
  key.startsWith('param:')
    ? `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${key.slice('param:'.length)}`
    : arnIn(key, { region: LOCAL_REGION, account: LOCAL_ACCOUNT });

/** `LONGSHORE_QUEUES` on this machine (lib/infra/queues.ts builds the deployed one). */
export const localQueues = (catalog: Catalog): string =>
  queueKeys(catalog)
    .map((key) => `${key}=${localQueueArn(key)}`)
    .join(',');
