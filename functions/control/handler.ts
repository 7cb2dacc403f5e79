import { createHandler } from '../../lib/handler.ts';

/** Not implemented yet: built in a later issue. */
export const handler = createHandler({ name: 'control', parse: (event) => event }, async () => {
  throw new Error('control is not implemented yet');
});
