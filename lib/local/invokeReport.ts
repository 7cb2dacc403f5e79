/**
 * `longshore invoke`: what one handler did with one event, with AWS mocked and the store embedded:
 * every AWS call with its input, the records it wrote or changed, the events it published, its
 * result, and ready-made follow-up events (the launch message to deliver, the task's events to play).
 * Data only: lib/cli/invokeView.ts prints it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sqsBatch } from './eventFactory.ts';
import type { FunctionKey } from './functionKeys.ts';
import type { InvokeResult, LocalRuntime } from './LocalRuntime.ts';
import type { AwsCall, PublishedEvent, SentAlert, WebhookPost } from './Recorder.ts';

type Item = Record<string, unknown>;

export interface RecordChange {
  key: string;
  kind: 'created' | 'changed' | 'deleted';
  /** For changed records: attribute -> [before, after]. */
  changes?: Record<string, [unknown, unknown]>;
  item?: Item;
}

export interface FollowUp {
  what: string;
  command: string;
}

export interface InvokeReport {
  function: FunctionKey;
  eventFile: string;
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string };
  awsCalls: AwsCall[];
  records: RecordChange[];
  eventsPublished: PublishedEvent[];
  alerts: SentAlert[];
  webhooks: WebhookPost[];
  tasks: { taskArn: string; startedBy: string }[];
  followUps: FollowUp[];
}

const keyOf = (i: Item) => `${i.pk} | ${i.sk}`;
const SKIP = new Set(['pk', 'sk', 'updatedAt']);

export const diffRecords = (before: Item[], after: Item[]): RecordChange[] => {
  const b = new Map(before.map((i) => [keyOf(i), i]));
  const a = new Map(after.map((i) => [keyOf(i), i]));
  const out: RecordChange[] = [];
  for (const [k, item] of a) {
    const old = b.get(k);
    if (!old) {
      out.push({ key: k, kind: 'created', item });
      continue;
    }
    const changes: Record<string, [unknown, unknown]> = {};
    for (const attr of new Set([...Object.keys(old), ...Object.keys(item)])) {
      if (SKIP.has(attr)) continue;
      const x = JSON.stringify(old[attr] instanceof Set ? [...(old[attr] as Set<unknown>)] : old[attr]);
      const y = JSON.stringify(item[attr] instanceof Set ? [...(item[attr] as Set<unknown>)] : item[attr]);
      if (x !== y) changes[attr] = [old[attr], item[attr]];
    }
    if (Object.keys(changes).length > 0) out.push({ key: k, kind: 'changed', changes });
  }
  for (const [k, item] of b) if (!a.has(k)) out.push({ key: k, kind: 'deleted', item });
  return out;
};

/** Invokes and builds the report; follow-up event files go to `<state>/next/`. */
export const invokeWithReport = async (
  rt: LocalRuntime,
  fn: FunctionKey,
  event: unknown,
  eventFile: string,
): Promise<InvokeReport> => {
  const before = await rt.scanAll();
  rt.recorder.reset();
  const knownTasks = new Set(rt.ecs.tasks.keys());
  const outcome: InvokeResult = await rt.invoke(fn, event);
  const after = await rt.scanAll();
  const nextDir = join(rt.stateDir, 'next');
  mkdirSync(nextDir, { recursive: true });
  const rel = (f: string) => relative(process.cwd(), f) || f;
  const followUps: FollowUp[] = [];
  for (const call of rt.recorder.calls.filter((c) => c.service === 'SQS')) {
    for (const entry of (call.input as { Entries?: { MessageBody?: string; DelaySeconds?: number }[] }).Entries ?? []) {
      const body = JSON.parse(entry.MessageBody ?? '{}') as { runId: string; attempt: number };
      const file = join(nextDir, `launch-${body.runId}-${body.attempt}.json`);
      if (followUps.some((f) => f.command.endsWith(rel(file)))) continue;
      writeFileSync(
        file,
        `${JSON.stringify(sqsBatch([{ messageId: `local-${body.runId}-${body.attempt}`, body: entry.MessageBody ?? '' }], { ApproximateReceiveCount: '1' }), null, 2)}\n`,
      );
      followUps.push({
        what: `launch ${body.runId} attempt ${body.attempt}${entry.DelaySeconds ? ` (due in ${entry.DelaySeconds}s)` : ''}`,
        command: `longshore invoke launcher ${rel(file)}`,
      });
    }
  }
  const tasks = [...rt.ecs.tasks.values()].filter((t) => !knownTasks.has(t.taskArn));
  for (const t of tasks) {
    for (const [variant, e] of Object.entries(rt.ecs.eventVariants(t.taskArn))) {
      const file = join(nextDir, `${t.runId}-${t.attempt}-${variant}.json`);
      writeFileSync(file, `${JSON.stringify(e, null, 2)}\n`);
      if (variant === 'running' || variant === 'stopped-success')
        followUps.push({ what: `task ${variant}`, command: `longshore invoke onTaskStateChange ${rel(file)}` });
    }
  }
  if (tasks.length > 0)
    followUps.push({
      what: 'other endings: stopped-exit-1, stopped-oom, spot-notice, stopped-spot',
      command: `ls ${rel(nextDir)}`,
    });
  return {
    function: fn,
    eventFile,
    ok: outcome.ok,
    ...(outcome.ok ? { result: outcome.result } : { error: outcome.error }),
    awsCalls: rt.recorder.calls,
    records: diffRecords(before, after),
    eventsPublished: rt.recorder.events.filter((e) => e.detailType !== 'ECS Task State Change'),
    alerts: rt.recorder.alerts,
    webhooks: rt.recorder.webhooks,
    tasks: tasks.map((t) => ({ taskArn: t.taskArn, startedBy: t.startedBy })),
    followUps,
  };
};
