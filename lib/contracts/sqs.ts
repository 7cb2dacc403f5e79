/** The SQS event envelope the launcher receives (only the fields it reads are checked). */
import * as z from 'zod';

export const sqsEvent = z.looseObject({
  Records: z.array(z.looseObject({ messageId: z.string().min(1), body: z.string() })),
});
