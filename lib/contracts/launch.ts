/** The launch queue's message: which run, which attempt. Small on purpose: the run record has the rest. */
import { runIdField } from './common.ts';
import * as v from './schema.ts';

export const launchMessage = v.strictObject({
  v: v.literal(1),
  runId: runIdField,
  attempt: v.number().int().min(1).max(9999),
});
export type LaunchMessage = v.Output<typeof launchMessage>;
