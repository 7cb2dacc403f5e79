import { createHandler } from '../../lib/handler.ts';

/** Not implemented yet: built in a later issue. */
export const handler = createHandler({ name: 'launcher', parse: (event) => event }, async () => {
  throw new Error('launcher is not implemented yet');
});
