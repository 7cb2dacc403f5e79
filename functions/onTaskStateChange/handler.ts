import { parseTaskStateChange } from '../../lib/contracts/ecs.ts';
import { createHandler } from '../../lib/handler.ts';
import type { CoreDeps } from '../../lib/ports.ts';
import { trackTaskEvent } from '../../lib/trackTask.ts';
import { coreDeps } from '../../lib/wiring.ts';

/** ECS "Task State Change" of our tasks -> attempt record, failure policy, next step. */
export const buildHandler = (deps: CoreDeps) =>
  createHandler({ name: 'onTaskStateChange', parse: parseTaskStateChange }, (detail) => trackTaskEvent(deps, detail));

export const handler = buildHandler(coreDeps());
