/** The launch queue's message: which run, which attempt. Small on purpose: the run record has the rest. */
import * as z from 'zod';
import { runIdField } from './common.ts';

export const launchMessage = z.strictObject({
  v: z.literal(1),
  runId: runIdField,
  attempt: z.number().int().min(1).max(9999),
});
export type LaunchMessage = z.infer<typeof launchMessage>;
