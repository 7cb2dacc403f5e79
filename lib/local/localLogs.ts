/**
 * The local flow's task logs: each simulated task's stdout and stderr go to
 * `<state>/logs/<group without its leading />/<prefix>/<container>/<task id>.log` (SimulatedEcs),
 * the same names CloudWatch Logs would give the group and stream. A console link (lib/domain/logLink.ts)
 * maps back to that file, so what points at CloudWatch deployed points at the file locally.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine, LogStreamRef, TaskLogsPort } from '../ports.ts';

/** The console link's group and stream: each encoded twice, with `$` for `%`. */
const CONSOLE_LINK = /https:\/\/\S+#logsV2:log-groups\/log-group\/(\S+?)\/log-events\/(\S+)/g;

const consoleDecode = (s: string): string => decodeURIComponent(decodeURIComponent(s.replace(/\$/g, '%')));

/** The local file of a console link's log stream (whether or not the task wrote it), if it is one. */
export const localLogFile = (logsDir: string, link: string): string | undefined => {
  const m = new RegExp(CONSOLE_LINK.source).exec(link);
  if (!m) return undefined;
  return `${join(logsDir, consoleDecode(m[1] as string).replace(/^\//, ''), consoleDecode(m[2] as string))}.log`;
};

/**
 * An alert's text as the local flow shows it: each CloudWatch console link (which leads nowhere
 * from this machine) replaced by the task's local log file, or, when the simulated task ran no
 * command and wrote none, by saying so.
 */
export const withLocalLogFiles = (logsDir: string, text: string): string =>
  text.replace(CONSOLE_LINK, (link) => {
    const file = localLogFile(logsDir, link);
    if (!file) return link;
    return existsSync(file) ? file : `${file} (not written: the simulated task ran no command)`;
  });

/** The local file of a log stream: `<logsDir>/<group without its leading />/<stream>.log`. */
export const localStreamFile = (logsDir: string, ref: LogStreamRef): string =>
  `${join(logsDir, ref.group.replace(/^\//, ''), ref.stream)}.log`;

/**
 * The task logs port over the local files: lines as the task printed them (no times: a local
 * file has none, so `sinceMs` selects nothing), the cursor a byte offset for --follow.
 */
export const localTaskLogs = (logsDir: string): TaskLogsPort => ({
  read: async (ref, opts) => {
    const file = localStreamFile(logsDir, ref);
    if (!existsSync(file)) return { lines: [], ...(opts.cursor ? { cursor: opts.cursor } : {}) };
    const content = readFileSync(file);
    const from = opts.cursor ? Math.min(Number(opts.cursor) || 0, content.length) : 0;
    const parts = content.subarray(from).toString('utf8').split('\n');
    if (parts.at(-1) === '') parts.pop();
    const lines: LogLine[] = parts.map((message) => ({ message: message.replace(/\r$/, '') }));
    return { lines: opts.tail !== undefined ? lines.slice(-opts.tail) : lines, cursor: String(content.length) };
  },
});
