/**
 * Reads a succeeding run's result (a job's `result: { lastLogLine: true }`) from its main
 * container's log, before the transition that makes the run SUCCEEDED records it: one GetLogEvents
 * call of the stream's last lines (newest first, `startFromHead: false`, lib/aws/logs.ts), bounded
 * in time. Nothing here can fail the settle: a stream that cannot be read (denied, throttled, not
 * there yet, late) gives a `resultError`, and the run succeeds all the same (docs/decisions.md,
 * "Run results").
 */
import type { Job } from './catalog/schema.ts';
import { logTargetOf } from './domain/attemptSummary.ts';
import { logStreamName, parseTaskArn } from './domain/logLink.ts';
import { MAIN_CONTAINER_NAME } from './domain/names.ts';
import type { Attempt } from './domain/run.ts';
import { RESULT_SCAN_LINES, type ResultRead, resultError, resultFromLines } from './domain/runResult.ts';
import { logger } from './logger.ts';
import type { CoreDeps } from './ports.ts';

/**
 * How long the read may take: the tracker's timeout is 30 s and a settle does a few writes after
 * it; CloudWatch Logs must not hold the run's success back.
 */
export const RESULT_READ_MS = 3000;

/**
 * The result of a run whose attempt succeeded, for a job that declares one; undefined otherwise.
 *
 * @example await readRunResult(deps, job, attempt) // { result: '{"rows":3}' }
 */
export const readRunResult = async (
  deps: Pick<CoreDeps, 'logs' | 'settings'>,
  job: Job,
  attempt: Attempt,
): Promise<ResultRead | undefined> => {
  if (job.result?.lastLogLine !== true) return undefined;
  const taskId = attempt.taskArn ? parseTaskArn(attempt.taskArn)?.taskId : undefined;
  if (!taskId) return resultError('the attempt has no task, so no log to read the result from');
  if (!deps.logs) return resultError('this function does not read task logs');
  const target = logTargetOf(deps.settings.stage, job);
  const ref = { group: target.group, stream: logStreamName(target.streamPrefix, MAIN_CONTAINER_NAME, taskId) };
  let timer: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${RESULT_READ_MS} ms`)), RESULT_READ_MS);
    });
    const { lines } = await Promise.race([deps.logs.read(ref, { tail: RESULT_SCAN_LINES }), late]);
    return resultFromLines(lines.map((l) => l.message));
  } catch (e) {
    const err = e as Error;
    const why = err.name === 'Error' ? err.message : `${err.name}: ${err.message}`;
    logger.warn('Run succeeds without its result: the log could not be read', {
      logGroup: ref.group,
      logStream: ref.stream,
      error: why,
    });
    return resultError(`the main container's log could not be read (${why})`);
  } finally {
    clearTimeout(timer);
  }
};
