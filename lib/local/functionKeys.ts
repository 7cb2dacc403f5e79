/**
 * The functions the local tools may run, by key: the keys of `functions/index.ts` (a unit test
 * holds them equal), kept here apart so the CLI's loopback client and server need not load them.
 */
export const FUNCTION_KEYS = [
  'onUpload',
  'onSchedule',
  'control',
  'launcher',
  'onTaskStateChange',
  'sweeper',
  'alert',
] as const;
export type FunctionKey = (typeof FUNCTION_KEYS)[number];

/** Narrows a name from outside (a flow request, a CLI argument) to a key of the table. */
export const isFunctionKey = (name: string): name is FunctionKey => (FUNCTION_KEYS as readonly string[]).includes(name);
