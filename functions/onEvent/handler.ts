import { acceptEvent } from '../../lib/acceptEvent.ts';
import { parseEventDelivery } from '../../lib/contracts/customEvents.ts';
import { createHandler } from '../../lib/handler.ts';
import type { CoreDeps } from '../../lib/ports.ts';
import { coreDeps } from '../../lib/wiring.ts';

/** An event an event trigger's rule matched (wrapped with its job and trigger) -> one queued run. */
export const buildHandler = (deps: CoreDeps) =>
  createHandler({ name: 'onEvent', parse: parseEventDelivery, metrics: deps.metrics }, (delivery) =>
    acceptEvent(deps, delivery),
  );

export const handler = buildHandler(coreDeps());
