/**
 * The local flow left running (`longshore up` on a terminal): files dropped into the bucket folders
 * are uploads, schedules tick on time, the sweeper runs every minute. It tells what it starts
 * through the callbacks (the CLI prints them) and returns what stops it all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cronOccurrences, parseScheduleExpression } from '../domain/scheduleExpression.ts';
import { watchBuckets } from './bucketFolders.ts';
import type { LocalRuntime } from './LocalRuntime.ts';

export interface WatchEvents {
  upload(bucket: string, key: string, size: number): void;
  tick(job: string, expression: string, timezone: string, at: Date): void;
}

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
              on.tick(job.name, t.expression, t.timezone, next);
              void rt.tick(job.name, i, next);
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

/** Starts watching; the returned function stops the watcher, the ticks and the sweeper. */
export const watchFlow = (rt: LocalRuntime, on: WatchEvents): (() => void) => {
  const stopWatch = watchBuckets(
    rt.bucketsDir,
    rt.catalog,
    (bucket, key, size) => {
      on.upload(bucket, key, size);
      void rt.invoke('onUpload', rt.objectCreatedEvent(bucket, key, readFileSync(join(rt.bucketsDir, bucket, key))));
    },
    rt.delivered,
  );
  const stopTicks = scheduleTicks(rt, on);
  const sweeper = setInterval(() => void rt.sweep(), 60_000);
  return () => {
    clearInterval(sweeper);
    stopTicks();
    stopWatch();
  };
};
