/** The environment the handlers get on this machine (the local flow, `longshore invoke`, `osls invoke local`). */
import { tableName } from '../domain/names.ts';

/** AWS's documentation account, as in the sample events of events/, so they match the local cluster. */
export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'eu-west-1';

export const localEnvironment = (
  stage: string,
  ddbEndpoint: string,
  networkNames: readonly string[],
): Record<string, string> => ({
  LONGSHORE_STAGE: stage,
  LONGSHORE_TABLE: tableName(stage),
  LONGSHORE_EVENT_BUS: `longshore-${stage}-runs`,
  LONGSHORE_LAUNCH_QUEUE_URL: `https://sqs.${LOCAL_REGION}.amazonaws.com/${LOCAL_ACCOUNT}/longshore-${stage}-launch`,
  LONGSHORE_CLUSTER_ARN: `arn:aws:ecs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:cluster/longshore-${stage}`,
  LONGSHORE_ALERT_TOPIC_ARN: `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:longshore-${stage}-alerts`,
  LONGSHORE_NETWORKS: JSON.stringify(
    Object.fromEntries(
      networkNames.map((n) => [
        n,
        { subnets: 'subnet-0local00000000001', securityGroups: 'sg-0local00000000001', assignPublicIp: false },
      ]),
    ),
  ),
  LONGSHORE_RUN_TASK_RATE: '20',
  LONGSHORE_LOCAL: '1',
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint,
  POWERTOOLS_METRICS_DISABLED: 'true',
});
