import { buildTaskLogs, logsClient } from '../../lib/aws/logs.ts';
import { parseTaskStateChange } from '../../lib/contracts/ecs.ts';
import { createHandler } from '../../lib/handler.ts';
import type { CoreDeps } from '../../lib/ports.ts';
import { trackTaskEvent } from '../../lib/trackTask.ts';
import { coreDeps } from '../../lib/wiring.ts';

/** ECS "Task State Change" of our tasks -> attempt record, failure policy, next step. */
export const buildHandler = (deps: CoreDeps) =>
  createHandler({ name: 'onTaskStateChange', parse: parseTaskStateChange, metrics: deps.metrics }, (detail) =>
    trackTaskEvent(deps, detail),
  );

// The tracker reads a job's result from its task's log when the run succeeds (lib/runResult.ts).
export const handler = buildHandler({ ...coreDeps(), logs: buildTaskLogs(logsClient()) });
