import { cfnString } from '../../lib/catalog/arn.ts';
import { secretReadResource } from '../../lib/catalog/secretRefs.ts';
import { allow } from '../../lib/infra/cfn.ts';
import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/** Final failures, timeouts and missed schedules -> SNS and optional webhooks. */
const config: FunctionConfig = (ctx) => {
  const webhooks = [
    ...new Set(
      Object.values(ctx.catalog.alerts).flatMap((r) => (r.webhookSecret ? [secretReadResource(r.webhookSecret)] : [])),
    ),
  ].sort();
  return {
    handler: 'functions/alert/handler.handler',
    description: 'Run Failed / Run Timed Out / Schedule Missed -> SNS topic and webhooks',
    timeout: 30,
    async: true,
    storeMethods: [],
    statements: [
      ...grants.publishAlerts(),
      ...(webhooks.length > 0
        ? [{ Sid: 'ReadWebhookUrls', ...allow(['secretsmanager:GetSecretValue'], webhooks.map(cfnString)) }]
        : []),
    ],
  };
};
export default config;
