/**
 * A run's result (a job's `result: { lastLogLine: true }`): the main container's last log line that
 * is a JSON object or array, at most `RESULT_MAX_BYTES`. It is kept as the line's text (JSON,
 * verbatim), not as a DynamoDB map: any valid JSON survives the write (a map refuses nesting past
 * 32 levels, and numbers past DynamoDB's 38 digits), and the run item grows by its bytes only.
 * Pure: the use case (lib/runResult.ts) reads the lines; docs/decisions.md, "Run results".
 */

/** The largest result recorded, in UTF-8 bytes: runs stay small (a run item is read and written often). */
export const RESULT_MAX_BYTES = 4096;
/** How many of the stream's last lines are searched (one GetLogEvents call, newest first). */
export const RESULT_SCAN_LINES = 100;
/** A `resultError` is at most this long (it says why, in a sentence). */
const ERROR_MAX = 300;

const utf8 = new TextEncoder();

/** What reading the result gave: the JSON text, or why there is none. */
export type ResultRead = { result: string } | { resultError: string };

const isJsonContainer = (line: string): boolean => {
  const t = line.trim();
  if (!(t.startsWith('{') && t.endsWith('}')) && !(t.startsWith('[') && t.endsWith(']'))) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

export const resultError = (why: string): ResultRead => ({ resultError: why.slice(0, ERROR_MAX) });

/**
 * The result among a stream's last lines (oldest first, as a log reads): the newest line that is a
 * JSON object or array. A newer such line over the limit is an error, not a reason to take an older
 * one: the task meant its last JSON line.
 *
 * @example resultFromLines(['starting', '{"rows":3}', 'bye']) // { result: '{"rows":3}' }
 */
export const resultFromLines = (lines: readonly string[]): ResultRead => {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] as string).trim();
    // A line far over the limit cannot be the result; JSON.parse of it would only cost.
    const size = utf8.encode(line).length;
    if (size > RESULT_MAX_BYTES) {
      if (isJsonContainer(line))
        return resultError(`the last JSON line is ${size} bytes; a result is at most ${RESULT_MAX_BYTES}`);
      continue;
    }
    if (isJsonContainer(line)) return { result: line };
  }
  return resultError(
    lines.length === 0
      ? 'the main container logged nothing (or CloudWatch Logs did not have its lines yet)'
      : `no JSON object or array among the main container's last ${Math.min(lines.length, RESULT_SCAN_LINES)} log lines`,
  );
};

/** The result's value, for a run event or a view; undefined when the recorded text is not JSON. */
export const parseResult = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
