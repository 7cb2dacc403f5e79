/**
 * Run ids and RunTask client tokens, derived from the trigger's identity so that every delivery of
 * the same trigger names the same run (invariants 1 and 2 in docs/architecture.md).
 *
 * - S3 upload: bucket + key + (version id, else sequencer, else etag). Two uploads of the same key
 *   on an unversioned bucket differ by sequencer; a duplicate delivery carries the same one.
 * - Schedule: schedule ARN (or rule ARN) + scheduled time, never the per-attempt execution id.
 * - Manual: the client token (the CLI generates one per command and reuses it on retry).
 * - Batch: the batched trigger (its index in the job), the batch's number in its sequence and when
 *   its first object came: every closer of one batch names the same run.
 * - After: the upstream run's id (with the downstream job in every run id, one run per upstream run
 *   and downstream job, however often its run event is delivered).
 * - Event / SQS: the values at the trigger's identity paths (by default the EventBridge event id,
 *   the same on every redelivery of one event, or the SQS message id, the same on every receive of
 *   one message), so a redelivery names the run that exists.
 */
import { createHash } from 'node:crypto';
import type { RunTrigger } from './run.ts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lowercase RFC 4648 base32 of the first `chars * 5` bits of a SHA-256 digest. */
const hash32 = (text: string, chars: number): string => {
  const digest = createHash('sha256').update(text).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
  }
  return out;
};

export type TriggerIdentity =
  | { type: 's3'; bucket: string; key: string; versionId?: string; sequencer?: string; etag?: string }
  | { type: 'schedule'; schedule: string; scheduledTime: string }
  | { type: 'manual'; token: string }
  | { type: 'after'; upstreamRunId: string }
  | { type: 'batch'; triggerIndex: number; seq: number; openedAt: string }
  | { type: 'event' | 'sqs'; identity: readonly string[] }
  | { type: 'retry'; of: string; token: string }
  /** A fan-out parent's child (lib/domain/fanOut.ts): the parent run and the child's index. */
  | { type: 'child'; parentRunId: string; index: number };

/** The identity a trigger's run id is derived from. */
export const identityOf = (trigger: RunTrigger): TriggerIdentity => {
  switch (trigger.type) {
    case 's3':
      return {
        type: 's3',
        bucket: trigger.bucket,
        key: trigger.key,
        versionId: trigger.versionId,
        sequencer: trigger.sequencer,
        etag: trigger.etag,
      };
    case 'schedule':
      return { type: 'schedule', schedule: trigger.schedule, scheduledTime: trigger.scheduledTime };
    case 'manual':
      return { type: 'manual', token: trigger.token };
    case 'after':
      return { type: 'after', upstreamRunId: trigger.upstream.runId };
    case 'batch':
      return { type: 'batch', triggerIndex: trigger.triggerIndex, seq: trigger.seq, openedAt: trigger.openedAt };
    case 'event':
    case 'sqs':
      return { type: trigger.type, identity: trigger.identity };
    case 'retry':
      return { type: 'retry', of: trigger.of, token: trigger.token };
  }
};

/** The stable text of a trigger's identity. */
export const identityText = (t: TriggerIdentity): string => {
  switch (t.type) {
    case 's3':
      return `s3\n${t.bucket}\n${t.key}\n${t.versionId ? `v:${t.versionId}` : t.sequencer ? `s:${t.sequencer}` : `e:${t.etag ?? ''}`}`;
    case 'schedule':
      return `schedule\n${t.schedule}\n${new Date(t.scheduledTime).toISOString()}`;
    case 'manual':
      return `manual\n${t.token}`;
    case 'after':
      return `after\n${t.upstreamRunId}`;
    case 'batch':
      return `batch\n${t.triggerIndex}\n${t.seq}\n${new Date(t.openedAt).toISOString()}`;
    case 'event':
    case 'sqs':
      return `${t.type}\n${JSON.stringify(t.identity)}`;
    case 'retry':
      return `retry\n${t.of}\n${t.token}`;
    case 'child':
      return `child\n${t.parentRunId}\n${t.index}`;
  }
};

/** 20 base32 characters: 100 bits, so distinct triggers never share a run id in practice. */
export const RUN_ID_HASH_LENGTH = 20;

/**
 * The run id of a job for a trigger: `<job>-<20 base32 chars>`, valid in `startedBy`, DynamoDB keys
 * and URLs.
 *
 * @example runIdFor('thumbnails', { type: 'manual', token: 'abc' }) // 'thumbnails-...'
 */
export const runIdFor = (job: string, trigger: TriggerIdentity): string =>
  `${job}-${hash32(`${job}\n${identityText(trigger)}`, RUN_ID_HASH_LENGTH)}`;

/**
 * RunTask `clientToken` for one attempt of a run: 64 hex characters (ECS allows 64 ASCII 33-126).
 * The same attempt always sends the same token, so a retried RunTask returns the same task. The
 * capacity provider is part of it: when a Spot launch finds no capacity and the run falls back to
 * on-demand, the request changes, and reusing the token would be a ConflictException.
 */
export const clientTokenFor = (stage: string, runId: string, attempt: number, capacity: string): string =>
  createHash('sha256').update(`${stage}\n${runId}\n${attempt}\n${capacity}`).digest('hex');

export const RUN_ID_PATTERN = /^[a-z][a-z0-9-]*-[a-z2-7]{20}$/;
