import { createHandler } from '../../lib/handler.ts';

/** Not implemented yet: built in a later issue. */
export const handler = createHandler({ name: 'onTaskStateChange', parse: (event) => event }, async () => {
  throw new Error('onTaskStateChange is not implemented yet');
});
