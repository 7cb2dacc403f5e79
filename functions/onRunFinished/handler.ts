import { acceptAfterRun } from '../../lib/acceptAfterRun.ts';
import { ecs } from '../../lib/aws/ecs.ts';
import { parseFinishedRunEvent } from '../../lib/contracts/runEvents.ts';
import { createHandler } from '../../lib/handler.ts';
import type { StopDeps } from '../../lib/ports.ts';
import { tallyChild } from '../../lib/tallyChild.ts';
import { coreDeps } from '../../lib/wiring.ts';

/**
 * A finished run's event from the run-event bus -> one queued run per job that runs after it; a
 * fan-out child's -> counted on its parent, which may finish (and then cancel its other children).
 */
export const buildHandler = (deps: StopDeps) =>
  createHandler({ name: 'onRunFinished', parse: parseFinishedRunEvent, metrics: deps.metrics }, (finished) =>
    acceptAfterRun(deps, finished, (child) => tallyChild(deps, child)),
  );

export const handler = buildHandler({ ...coreDeps(), ecs });
