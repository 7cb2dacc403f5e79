import { ecs } from '../../lib/aws/ecs.ts';
import { scheduleArnFrom } from '../../lib/domain/names.ts';
import { createHandler } from '../../lib/handler.ts';
import { sweepOnce } from '../../lib/sweep.ts';
import { coreDeps } from '../../lib/wiring.ts';

const core = coreDeps();

/** Every 5 minutes (EventBridge rule): timeouts, stuck or lost tasks, lost launches, missed schedule ticks. */
export const handler = createHandler({ name: 'sweeper', parse: (event) => event }, (_event, context) =>
  sweepOnce(
    { ...core, ecs, scheduleArn: scheduleArnFrom(context.invokedFunctionArn, core.settings.stage) },
    context.awsRequestId,
  ),
);
