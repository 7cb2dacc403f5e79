/**
 * The functions the local tools may run, by key: exactly the keys of `functions/index.ts` (the
 * type says so: a function added there and not here, or here and not there, is a type error), each
 * with its handler module as a static import. A key from outside (the flow's control port,
 * `longshore invoke`) selects an entry of this table and never becomes part of a module path.
 * Loading this module loads no handler: the CLI's loopback client and server use it too.
 */
import type { functions } from '../../functions/index.ts';

export type FunctionKey = keyof typeof functions;

/** Each key's handler module (imported when first invoked; it exports `handler`). */
export const HANDLER_MODULES: Record<FunctionKey, () => Promise<unknown>> = {
  onUpload: () => import('../../functions/onUpload/handler.ts'),
  onSchedule: () => import('../../functions/onSchedule/handler.ts'),
  control: () => import('../../functions/control/handler.ts'),
  launcher: () => import('../../functions/launcher/handler.ts'),
  onTaskStateChange: () => import('../../functions/onTaskStateChange/handler.ts'),
  sweeper: () => import('../../functions/sweeper/handler.ts'),
  alert: () => import('../../functions/alert/handler.ts'),
  onRunFinished: () => import('../../functions/onRunFinished/handler.ts'),
  onEvent: () => import('../../functions/onEvent/handler.ts'),
  onMessage: () => import('../../functions/onMessage/handler.ts'),
};

export const FUNCTION_KEYS = Object.keys(HANDLER_MODULES) as readonly FunctionKey[];

/** Narrows a name from outside (a flow request, a CLI argument) to a key of the table. */
export const isFunctionKey = (name: string): name is FunctionKey => Object.hasOwn(HANDLER_MODULES, name);
