/** Operator requests to the `control` function (sent by the CLI): trigger a job, retry or cancel a run. */
import * as z from 'zod';
import { InvalidEventError } from '../errors.ts';
import { issueSentences } from '../schemaIssues.ts';

const token = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, '1-64 letters, digits, . _ : -');
const who = z.string().max(128).optional();

export const runOverrides = z.strictObject({
  environment: z.record(z.string(), z.string()).optional(),
  command: z.array(z.string()).min(1).optional(),
  cpu: z.number().int().optional(),
  memory: z.number().int().optional(),
});

export const controlRequest = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('trigger'),
    job: z.string().min(1),
    clientToken: token.optional(),
    overrides: runOverrides.optional(),
    requestedBy: who,
  }),
  z.strictObject({
    action: z.literal('retry'),
    runId: z.string().min(1),
    clientToken: token.optional(),
    requestedBy: who,
  }),
  z.strictObject({
    action: z.literal('cancel'),
    runId: z.string().min(1),
    reason: z.string().max(255).optional(),
    requestedBy: who,
  }),
]);
export type ControlRequest = z.infer<typeof controlRequest>;

export type ControlResponse =
  | { ok: true; action: ControlRequest['action']; runId: string; status: string; created: boolean }
  | { ok: false; error: { code: string; message: string } };

export const parseControlRequest = (event: unknown): ControlRequest => {
  const parsed = controlRequest.safeParse(event, { reportInput: true });
  if (!parsed.success) throw new InvalidEventError('control request', issueSentences(parsed.error));
  return parsed.data;
};
