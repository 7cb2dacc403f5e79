import { acceptAfterRun } from '../../lib/acceptAfterRun.ts';
import { parseFinishedRunEvent } from '../../lib/contracts/runEvents.ts';
import { createHandler } from '../../lib/handler.ts';
import type { CoreDeps } from '../../lib/ports.ts';
import { coreDeps } from '../../lib/wiring.ts';

/** A finished run's event from the run-event bus -> one queued run per job that runs after it. */
export const buildHandler = (deps: CoreDeps) =>
  createHandler({ name: 'onRunFinished', parse: parseFinishedRunEvent, metrics: deps.metrics }, (finished) =>
    acceptAfterRun(deps, finished),
  );

export const handler = buildHandler(coreDeps());
