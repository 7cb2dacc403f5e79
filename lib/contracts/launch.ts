/** The launch queue's message: which run, which attempt. Small on purpose: the run record has the rest. */
import * as z from 'zod';

export const launchMessage = z.strictObject({
  v: z.literal(1),
  runId: z.string().min(1),
  attempt: z.number().int().min(1),
});
export type LaunchMessage = z.infer<typeof launchMessage>;
