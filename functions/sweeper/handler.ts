import { createHandler } from '../../lib/handler.ts';

/** Not implemented yet: built in a later issue. */
export const handler = createHandler({ name: 'sweeper', parse: (event) => event }, async () => {
  throw new Error('sweeper is not implemented yet');
});
