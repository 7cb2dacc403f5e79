/**
 * The local flow left running (`longshore up` on a terminal): files dropped into the bucket folders
 * are uploads, an event file dropped into `events/<bus>/` is put on that local bus, a file dropped
 * into `queues/<queue>/` is a message on that queue (its content the body), schedules tick on time,
 * the sweeper runs every minute. It tells what it starts
 * through the callbacks (the CLI prints them) and returns what stops it all.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { queueKeys } from '../domain/eventTrigger.ts';
import { cronOccurrences, parseScheduleExpression } from '../domain/scheduleExpression.ts';
import { watchBuckets, watchFolder } from './bucketFolders.ts';
import { busEvent } from './eventFactory.ts';
import type { LocalRuntime } from './LocalRuntime.ts';

export interface WatchEvents {
  upload(bucket: string, key: string, size: number): void;
  /** A file that starts no run, and why (no job watches its bucket, or none matches its key). */
  unmatched(bucket: string, key: string, why: string): void;
  tick(job: string, expression: string, timezone: string, at: Date): void;
  /** A tick the schedule did not send: it is disabled (its job is paused). */
  tickSkipped?(job: string, at: Date, why: string): void;
  /** An event file or a message file delivered (`where`: `bus acme-shop` or `queue acme-orders-resend`), and what came of it. */
  delivered(where: string, file: string, outcome: string): void;
}

/** The queue key (lib/domain/eventTrigger.ts) a folder under `queues/` names: its ARN's last part, or the parameter's name. */
const queueOfFolder = (rt: LocalRuntime, folder: string): string | undefined =>
  queueKeys(rt.catalog()).find((k) => k.split(':').pop() === folder);

/** What one delivery came to, in words: the runs it started or found, or why it starts none. */
const outcomeOf = (results: { ok: boolean; result?: unknown; error?: { message: string } }[]): string => {
  if (results.length === 0) return 'no event trigger on this bus matches it';
  return results
    .map((r) => {
      if (!r.ok) return `rejected: ${r.error?.message}`;
      const x = r.result as { runId?: string; created?: boolean; batchItemFailures?: unknown[] };
      if (x.batchItemFailures) return x.batchItemFailures.length > 0 ? 'cannot become a run (see the log)' : 'accepted';
      return `${x.created ? 'starts' : 'is already'} run ${x.runId}`;
    })
    .join('; ');
};

/** The folders of the event and sqs triggers: `events/<bus>/*.json` and `queues/<queue>/*`. */
const watchEventFolders = (rt: LocalRuntime, on: WatchEvents): (() => void) => {
  mkdirSync(rt.eventsDir, { recursive: true });
  mkdirSync(rt.queuesDir, { recursive: true });
  const seen = new Map<string, string>();
  const stopEvents = watchFolder(rt.eventsDir, seen, ([bus, ...rest], file) => {
    if (!bus || rest.length === 0) return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      on.delivered(`bus ${bus}`, rest.join('/'), 'not JSON: nothing is put on the bus');
      return;
    }
    // A PutEvents entry (source, detail-type, detail) becomes an event as EventBridge would make it.
    const event = entry.id ? entry : busEvent(entry as never);
    void rt.putEvent(event, bus).then((results) => on.delivered(`bus ${bus}`, rest.join('/'), outcomeOf(results)));
  });
  const stopQueues = watchFolder(rt.queuesDir, seen, ([folder, ...rest], file) => {
    if (!folder || rest.length === 0) return;
    const queue = queueOfFolder(rt, folder);
    if (!queue) {
      on.delivered(
        `queue ${folder}`,
        rest.join('/'),
        'no sqs trigger reads this queue; deployed, nothing would receive it',
      );
      return;
    }
    void rt
      .sendMessage(queue, readFileSync(file, 'utf8'))
      .then((result) => on.delivered(`queue ${folder}`, rest.join('/'), outcomeOf([result])));
  });
  return () => {
    stopEvents();
    stopQueues();
  };
};

/** The longest a Node timer may wait (about 24.8 days); later ticks are armed again when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const scheduleTicks = (rt: LocalRuntime, on: WatchEvents): (() => void) => {
  const timers: NodeJS.Timeout[] = [];
  for (const job of rt.catalog().jobs) {
    job.triggers.forEach((t, i) => {
      if (t.type !== 'schedule' || !t.enabled) return;
      const expr = parseScheduleExpression(t.expression);
      const arm = () => {
        const now = new Date();
        const next =
          expr.kind === 'rate'
            ? new Date(now.getTime() + expr.everySeconds * 1000)
            : cronOccurrences(
                expr.cron,
                t.timezone,
                new Date(now.getTime() + 1000),
                new Date(now.getTime() + 8 * 86400_000),
                1,
              )[0];
        if (!next) return;
        timers.push(
          setTimeout(
            () => {
              // As Scheduler does: a disabled schedule (its job paused) sends nothing.
              if (rt.schedules.enabled(job.name, i)) {
                on.tick(job.name, t.expression, t.timezone, next);
                void rt.tick(job.name, i, next);
              } else on.tickSkipped?.(job.name, next, 'its schedule is disabled (the job is paused)');
              arm();
            },
            Math.min(next.getTime() - now.getTime(), MAX_TIMER_MS),
          ),
        );
      };
      arm();
    });
  }
  return () => {
    for (const t of timers) clearTimeout(t);
  };
};

/** A bucket's triggers as patterns: `incoming/*.csv`. */
const patternsOf = (rt: LocalRuntime, bucket: string): string =>
  rt
    .catalog()
    .jobs.flatMap((j) =>
      j.triggers.flatMap((t) =>
        t.type === 's3' && t.bucket === bucket ? [`${j.name}: ${t.prefix ?? ''}*${t.suffix ?? ''}`] : [],
      ),
    )
    .join(', ');

/** Starts watching; the returned function stops the watcher, the ticks and the sweeper. */
export const watchFlow = (rt: LocalRuntime, on: WatchEvents): (() => void) => {
  const stopWatch = watchBuckets(
    rt.bucketsDir,
    rt.catalog,
    (bucket, key, size) => {
      on.upload(bucket, key, size);
      void rt
        .invoke('onUpload', rt.objectCreatedEvent(bucket, key, readFileSync(join(rt.bucketsDir, bucket, key))))
        .then((out) => {
          const result = out.result as { unmatched?: number } | undefined;
          if (out.ok && (result?.unmatched ?? 0) > 0)
            on.unmatched(bucket, key, `no job's S3 trigger on ${bucket} matches the key (${patternsOf(rt, bucket)})`);
        });
    },
    rt.delivered,
    (bucket, key) =>
      on.unmatched(bucket, key, `no job has an S3 trigger on bucket ${bucket}; deployed, no rule would deliver it`),
  );
  const stopEventFolders = watchEventFolders(rt, on);
  const stopTicks = scheduleTicks(rt, on);
  const sweeper = setInterval(() => void rt.sweep(), 60_000);
  return () => {
    clearInterval(sweeper);
    stopTicks();
    stopWatch();
    stopEventFolders();
  };
};
