import { createHandler } from '../../lib/handler.ts';

/** Not implemented yet: built in a later issue. */
export const handler = createHandler({ name: 'onSchedule', parse: (event) => event }, async () => {
  throw new Error('onSchedule is not implemented yet');
});
