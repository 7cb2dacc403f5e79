import { cfnString, localArn } from '../../lib/catalog/arn.ts';
import { secretReadResource } from '../../lib/catalog/secretRefs.ts';
import { logGroupName } from '../../lib/domain/names.ts';
import { allow, sub } from '../../lib/infra/cfn.ts';
import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/** Final failures, timeouts and missed schedules -> SNS and optional webhooks. */
const config: FunctionConfig = (ctx) => {
  const webhooks = [
    ...new Set(
      Object.values(ctx.catalog.alerts).flatMap((r) => (r.webhookSecret ? [secretReadResource(r.webhookSecret)] : [])),
    ),
  ].sort();
  // The alert quotes the deciding container's last log lines: read access to the log groups of the
  // jobs that alert, their streams only, nothing else of CloudWatch Logs.
  const jobLogs = [
    ...new Set(ctx.catalog.jobs.filter((j) => j.alerts !== false).map((j) => logGroupName(ctx.stage, j))),
  ].sort();
  return {
    handler: 'functions/alert/handler.handler',
    description: 'Run Failed / Run Timed Out / Schedule Missed -> SNS topic and webhooks',
    timeout: 30,
    async: true,
    // sendAlert: the alert's marker, taken before sending and marked per channel
    storeMethods: ['claimAlert', 'recordAlertSent'],
    statements: [
      ...grants.publishAlerts(),
      ...(jobLogs.length > 0
        ? [
            {
              Sid: 'ReadJobLogs',
              ...allow(
                ['logs:GetLogEvents'],
                jobLogs.map((g) => sub(localArn('logs', `log-group:${g}:log-stream:*`))),
              ),
            },
          ]
        : []),
      ...(webhooks.length > 0
        ? [{ Sid: 'ReadWebhookUrls', ...allow(['secretsmanager:GetSecretValue'], webhooks.map(cfnString)) }]
        : []),
    ],
  };
};
export default config;
