/**
 * CloudWatch Logs: a task's container log streams (the awslogs driver writes `<prefix>/<container>/<task id>`
 * in the job's group). GetLogEvents facts this rests on (CloudWatch Logs API reference, GetLogEvents):
 * - one response holds up to 10,000 events or 1 MB; `startFromHead: false` (the default) returns the
 *   latest events first, so `limit: N` without a token is the stream's last N events;
 * - with `nextToken`, `startFromHead` must be true;
 * - at the end of the stream `nextForwardToken` is the token that was passed in: the SDK's
 *   paginator stops there only with `stopOnSameToken: true` (otherwise it never ends);
 * - a stream or group that does not exist is a ResourceNotFoundException.
 */
import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  type OutputLogEvent,
  paginateGetLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import type { LogLine, TaskLogsPort } from '../ports.ts';

export const logsClient = (region?: string): CloudWatchLogsClient =>
  new CloudWatchLogsClient({ maxAttempts: 6, ...(region ? { region } : {}) });

/** GetLogEvents' `limit` is at most 10,000 (its API reference). */
export const MAX_LOG_EVENTS = 10_000;

const lineOf = (e: OutputLogEvent): LogLine => ({
  ...(e.timestamp !== undefined ? { at: new Date(e.timestamp).toISOString() } : {}),
  message: (e.message ?? '').replace(/\r?\n$/, ''),
});

const absent = (e: unknown): boolean => (e as { name?: string }).name === 'ResourceNotFoundException';

export const buildTaskLogs = (client: CloudWatchLogsClient): TaskLogsPort => ({
  read: async ({ group, stream }, opts) => {
    try {
      if (opts.tail !== undefined && opts.cursor === undefined) {
        const out = await client.send(
          new GetLogEventsCommand({
            logGroupName: group,
            logStreamName: stream,
            startFromHead: false,
            limit: Math.min(MAX_LOG_EVENTS, Math.max(1, opts.tail)),
            ...(opts.sinceMs !== undefined ? { startTime: opts.sinceMs } : {}),
          }),
        );
        return {
          lines: (out.events ?? []).map(lineOf),
          ...(out.nextForwardToken ? { cursor: out.nextForwardToken } : {}),
        };
      }
      const lines: LogLine[] = [];
      let cursor = opts.cursor;
      for await (const page of paginateGetLogEvents(
        { client, stopOnSameToken: true },
        {
          logGroupName: group,
          logStreamName: stream,
          startFromHead: true,
          ...(opts.sinceMs !== undefined && !opts.cursor ? { startTime: opts.sinceMs } : {}),
          ...(opts.cursor ? { nextToken: opts.cursor } : {}),
        },
      )) {
        lines.push(...(page.events ?? []).map(lineOf));
        if (page.nextForwardToken) cursor = page.nextForwardToken;
      }
      return { lines: opts.tail !== undefined ? lines.slice(-opts.tail) : lines, ...(cursor ? { cursor } : {}) };
    } catch (e) {
      if (absent(e)) return { lines: [], ...(opts.cursor ? { cursor: opts.cursor } : {}) };
      throw e;
    }
  },
});
