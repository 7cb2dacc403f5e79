import { type AlertDeps, postJson, sendAlert } from '../../lib/alert.ts';
import { readSecretString } from '../../lib/aws/secrets.ts';
import { buildAlertTopic, snsClient } from '../../lib/aws/sns.ts';
import { activeCatalog } from '../../lib/catalog/active.ts';
import { getEnv } from '../../lib/config.ts';
import { parseAlertEvent } from '../../lib/contracts/runEvents.ts';
import { createHandler } from '../../lib/handler.ts';

const deps: AlertDeps = {
  catalog: activeCatalog,
  topic: buildAlertTopic(snsClient, getEnv('LONGSHORE_ALERT_TOPIC_ARN')),
  secret: readSecretString,
  post: postJson,
  local: process.env.LONGSHORE_LOCAL === '1',
};

/** Run Failed / Run Timed Out / Schedule Missed from the run-event bus -> SNS and webhooks. */
export const handler = createHandler({ name: 'alert', parse: parseAlertEvent }, ({ type, detail }) =>
  sendAlert(deps, type, detail),
);
