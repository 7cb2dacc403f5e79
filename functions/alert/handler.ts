import { type AlertDeps, postJson, sendAlert } from '../../lib/alert.ts';
import { documentClient } from '../../lib/aws/dynamodb.ts';
import { buildTaskLogs, logsClient } from '../../lib/aws/logs.ts';
import { buildRunStore } from '../../lib/aws/runStore.ts';
import { readSecretString } from '../../lib/aws/secrets.ts';
import { buildAlertTopic, snsClient } from '../../lib/aws/sns.ts';
import { activeCatalog } from '../../lib/catalog/active.ts';
import { getEnv, isLocal, SERVICE_ENV } from '../../lib/config.ts';
import { parseAlertEvent } from '../../lib/contracts/runEvents.ts';
import { createHandler } from '../../lib/handler.ts';
import { emfMetrics } from '../../lib/metrics.ts';

/** Run Failed / Run Timed Out / Schedule Missed from the run-event bus -> SNS and webhooks. */
export const buildHandler = (deps: AlertDeps) =>
  createHandler({ name: 'alert', parse: parseAlertEvent, metrics: deps.metrics }, (event, context) =>
    sendAlert(deps, event, context.awsRequestId),
  );

export const handler = buildHandler({
  catalog: activeCatalog,
  topic: buildAlertTopic(snsClient, getEnv(SERVICE_ENV.alertTopicArn)),
  secret: readSecretString,
  post: postJson,
  local: isLocal(),
  store: buildRunStore(documentClient, getEnv(SERVICE_ENV.table)),
  now: () => new Date(),
  metrics: emfMetrics,
  logs: buildTaskLogs(logsClient()),
});
