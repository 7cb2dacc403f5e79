/**
 * The last lines of a container's log, as an alert and `runs show` quote them: at most 20 lines,
 * each cut at 1 KB, the whole at most 8 KB (the oldest lines go first). An alert must stay well
 * inside its carriers: SNS takes a message of at most 262,144 bytes (SNS API reference, Publish:
 * "at most 256 KB in size (262,144 bytes, not 262,144 characters)"), and chat webhooks cut long
 * texts (Slack truncates a message text over 40,000 characters), next to the alert's own lines.
 * Secret values are not in them: ECS injects secrets as environment variables, not log lines; a
 * task that prints one is the task's leak, and the excerpt quotes what CloudWatch Logs holds.
 */

export const EXCERPT_LINES = 20;
export const EXCERPT_LINE_BYTES = 1024;
export const EXCERPT_BYTES = 8 * 1024;

const utf8 = new TextEncoder();
const bytes = (s: string): number => utf8.encode(s).length;

/** Cuts a line at `max` UTF-8 bytes on a character boundary, saying how much was cut. */
const cutLine = (line: string, max: number): string => {
  const size = bytes(line);
  if (size <= max) return line;
  let kept = '';
  for (const ch of line) {
    if (bytes(kept) + bytes(ch) > max - 40) break;
    kept += ch;
  }
  return `${kept} ... [cut: ${size - bytes(kept)} more bytes]`;
};

/**
 * @example logExcerpt(['a', 'b']) // ['a', 'b']
 */
export const logExcerpt = (lines: readonly string[]): string[] => {
  const cut = lines.slice(-EXCERPT_LINES).map((l) => cutLine(l, EXCERPT_LINE_BYTES));
  while (cut.length > 0 && cut.reduce((n, l) => n + bytes(l) + 1, 0) > EXCERPT_BYTES) cut.shift();
  return cut;
};
