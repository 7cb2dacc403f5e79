import { type AlertDeps, postJson, sendAlert } from '../../lib/alert.ts';
import { readSecretString } from '../../lib/aws/secrets.ts';
import { buildAlertTopic, snsClient } from '../../lib/aws/sns.ts';
import { activeCatalog } from '../../lib/catalog/active.ts';
import { getEnv, isLocal, SERVICE_ENV } from '../../lib/config.ts';
import { parseAlertEvent } from '../../lib/contracts/runEvents.ts';
import { createHandler } from '../../lib/handler.ts';

/** Run Failed / Run Timed Out / Schedule Missed from the run-event bus -> SNS and webhooks. */
export const buildHandler = (deps: AlertDeps) =>
  createHandler({ name: 'alert', parse: parseAlertEvent }, ({ type, detail }) => sendAlert(deps, type, detail));

export const handler = buildHandler({
  catalog: activeCatalog,
  topic: buildAlertTopic(snsClient, getEnv(SERVICE_ENV.alertTopicArn)),
  secret: readSecretString,
  post: postJson,
  local: isLocal(),
});
