import { acceptTick } from '../../lib/acceptTick.ts';
import { ecs } from '../../lib/aws/ecs.ts';
import { parseScheduleTick } from '../../lib/contracts/schedule.ts';
import { createHandler } from '../../lib/handler.ts';
import type { StopDeps } from '../../lib/ports.ts';
import { coreDeps } from '../../lib/wiring.ts';

/** A schedule tick (our Scheduler input, Scheduler's default payload, or a rule's Scheduled Event) -> a run. */
export const buildHandler = (deps: StopDeps) =>
  createHandler({ name: 'onSchedule', parse: (e) => parseScheduleTick(e, deps.settings.stage) }, (tick) =>
    acceptTick(deps, tick),
  );

export const handler = buildHandler({ ...coreDeps(), ecs });
