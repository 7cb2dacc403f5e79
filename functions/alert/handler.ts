import { createHandler } from '../../lib/handler.ts';

/** Not implemented yet: built in a later issue. */
export const handler = createHandler({ name: 'alert', parse: (event) => event }, async () => {
  throw new Error('alert is not implemented yet');
});
