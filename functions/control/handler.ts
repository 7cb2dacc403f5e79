import { ecs } from '../../lib/aws/ecs.ts';
import { buildSchedules, schedulerClient } from '../../lib/aws/scheduler.ts';
import { answerControl } from '../../lib/control.ts';
import { scheduleArnFrom } from '../../lib/domain/names.ts';
import { createHandler } from '../../lib/handler.ts';
import type { ControlDeps } from '../../lib/ports.ts';
import { coreDeps } from '../../lib/wiring.ts';

/**
 * Operator requests from the CLI (synchronous): trigger, retry, cancel, backfill, pause and resume
 * a job; refusals answered
 * `ok: false`. A backfill names schedule ARNs in this function's own account and Region (from its ARN).
 */
export const buildHandler = (deps: Omit<ControlDeps, 'scheduleArn'>) =>
  createHandler({ name: 'control', parse: (event) => event, metrics: deps.metrics }, (event, context) =>
    answerControl({ ...deps, scheduleArn: scheduleArnFrom(context.invokedFunctionArn, deps.settings.stage) }, event),
  );

export const handler = buildHandler({ ...coreDeps(), ecs, schedules: buildSchedules(schedulerClient()) });
