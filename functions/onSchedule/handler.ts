import { acceptTick } from '../../lib/acceptTick.ts';
import { ecs } from '../../lib/aws/ecs.ts';
import { loadConfig } from '../../lib/config.ts';
import { parseScheduleTick } from '../../lib/contracts/schedule.ts';
import { createHandler } from '../../lib/handler.ts';
import { coreDeps } from '../../lib/wiring.ts';

const config = loadConfig();
const deps = { ...coreDeps(config), ecs };

/** A schedule tick (our Scheduler input, Scheduler's default payload, or a rule's Scheduled Event) -> a run. */
export const handler = createHandler({ name: 'onSchedule', parse: (e) => parseScheduleTick(e, config.stage) }, (tick) =>
  acceptTick(deps, tick),
);
