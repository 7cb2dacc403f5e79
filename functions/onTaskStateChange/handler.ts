import { parseTaskStateChange } from '../../lib/contracts/ecs.ts';
import { createHandler } from '../../lib/handler.ts';
import { trackTaskEvent } from '../../lib/trackTask.ts';
import { coreDeps } from '../../lib/wiring.ts';

const deps = coreDeps();

/** ECS "Task State Change" of our tasks -> attempt record, failure policy, next step. */
export const handler = createHandler({ name: 'onTaskStateChange', parse: parseTaskStateChange }, (detail) =>
  trackTaskEvent(deps, detail),
);
