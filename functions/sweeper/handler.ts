import { ecs, taskDefinitions } from '../../lib/aws/ecs.ts';
import { buildTaskLogs, logsClient } from '../../lib/aws/logs.ts';
import { scheduleArnFrom } from '../../lib/domain/names.ts';
import { createHandler } from '../../lib/handler.ts';
import type { SweepDeps } from '../../lib/ports.ts';
import { sweepOnce } from '../../lib/sweep.ts';
import { coreDeps, manifestWriter } from '../../lib/wiring.ts';

/**
 * Every 5 minutes (EventBridge rule): timeouts, stuck or lost tasks, lost launches, missed schedule
 * ticks. Schedule ARNs are named in this function's own account and Region (from its ARN).
 */
export const buildHandler = (deps: Omit<SweepDeps, 'scheduleArn'>) =>
  createHandler({ name: 'sweeper', parse: (event) => event, metrics: deps.metrics }, (_event, context) =>
    sweepOnce(
      { ...deps, scheduleArn: scheduleArnFrom(context.invokedFunctionArn, deps.settings.stage) },
      context.awsRequestId,
    ),
  );

const manifests = manifestWriter();
export const handler = buildHandler({
  ...coreDeps(),
  ecs,
  taskDefinitions,
  logs: buildTaskLogs(logsClient()),
  ...(manifests ? { manifests } : {}),
});
