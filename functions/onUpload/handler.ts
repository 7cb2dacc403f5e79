import { createHandler } from '../../lib/handler.ts';

/** Not implemented yet: built in a later issue. */
export const handler = createHandler({ name: 'onUpload', parse: (event) => event }, async () => {
  throw new Error('onUpload is not implemented yet');
});
