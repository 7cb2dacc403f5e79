/**
 * Which runs a person asked for (the console's Runs page; `runs list` could take the same): by
 * status, by trigger (its kind, and an S3 key prefix or text of its summary), and by creation
 * time. Pure; a run matches when every given criterion holds.
 */
import { originalTrigger, type Run, type RunStatus } from './run.ts';
import { triggerSummary } from './runEvents.ts';

export const TRIGGER_KINDS = ['s3', 'batch', 'schedule', 'manual', 'after', 'event', 'sqs', 'retry'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export interface RunFilter {
  /** Any of these statuses (none given: any status). */
  statuses?: readonly RunStatus[];
  /** The run's own trigger type: a retry is `retry`, whatever it retries. */
  triggerKind?: TriggerKind;
  /**
   * For an upload (or a retry of one): the start of its key, or of `s3://bucket/key`. For any
   * other trigger: text its summary contains ("manual by alice", "schedule ... at 2026-11-22").
   */
  trigger?: string;
  /** Created at or after this ISO time. */
  since?: string;
  /** Created before this ISO time. */
  until?: string;
}

/**
 * Whether a run is one the filter asks for.
 *
 * @example runMatches(run, { statuses: ['FAILED'], trigger: 'incoming/globex' })
 */
export const runMatches = (run: Run, f: RunFilter): boolean => {
  if (f.statuses && f.statuses.length > 0 && !f.statuses.includes(run.status)) return false;
  if (f.triggerKind && run.trigger.type !== f.triggerKind) return false;
  if (f.since && run.createdAt < f.since) return false;
  if (f.until && run.createdAt >= f.until) return false;
  if (f.trigger) {
    const o = originalTrigger(run.trigger);
    if (o.type === 's3') {
      if (!o.key.startsWith(f.trigger) && !`s3://${o.bucket}/${o.key}`.startsWith(f.trigger)) return false;
    } else if (!triggerSummary(run.trigger).includes(f.trigger)) return false;
  }
  return true;
};
