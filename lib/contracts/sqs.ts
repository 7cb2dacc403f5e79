/** The SQS event envelope the launcher receives (only the fields it reads are checked). */

import * as v from './schema.ts';

export const sqsEvent = v.looseObject({
  Records: v.array(v.looseObject({ messageId: v.string().min(1), body: v.string() })),
});
