import { ecs } from '../../lib/aws/ecs.ts';
import { answerControl } from '../../lib/control.ts';
import { createHandler } from '../../lib/handler.ts';
import type { StopDeps } from '../../lib/ports.ts';
import { coreDeps } from '../../lib/wiring.ts';

/** Operator requests from the CLI (synchronous): trigger, retry, cancel; refusals answered `ok: false`. */
export const buildHandler = (deps: StopDeps) =>
  createHandler({ name: 'control', parse: (event) => event }, (event) => answerControl(deps, event));

export const handler = buildHandler({ ...coreDeps(), ecs });
