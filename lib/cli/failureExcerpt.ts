/**
 * The last log lines of the container that decided a failed run's last attempt, as the alert quotes
 * them: `runs show` prints them and the console's Run page shows them. None for a run that did not
 * fail, a task that never started, or logs that cannot be read (then the rest is shown, and
 * `runs logs` says why).
 */
import type { Catalog } from '../catalog/schema.ts';
import { logTargetOf, summarizeAttempt } from '../domain/attemptSummary.ts';
import { EXCERPT_LINES, logExcerpt } from '../domain/logExcerpt.ts';
import { logStreamName, parseTaskArn } from '../domain/logLink.ts';
import { MAIN_CONTAINER_NAME } from '../domain/names.ts';
import type { Backend, RunHistory } from './backends.ts';

export type FailureExcerpt = NonNullable<RunHistory['logExcerpt']>;

export const failureExcerpt = async (
  b: Backend,
  catalog: Catalog,
  h: RunHistory,
): Promise<FailureExcerpt | undefined> => {
  if (!['FAILED', 'TIMED_OUT'].includes(h.run.status)) return undefined;
  const attempt = h.attempts.at(-1);
  const job = catalog.jobs.find((j) => j.name === h.run.job);
  if (!attempt?.taskArn || !job) return undefined;
  const summary = summarizeAttempt(attempt);
  const taskId = parseTaskArn(attempt.taskArn)?.taskId;
  if (!summary.started || !taskId) return undefined;
  const container = summary.deciding?.name ?? MAIN_CONTAINER_NAME;
  const target = logTargetOf(b.stage, job);
  try {
    const { lines } = await b.logs.read(
      { group: target.group, stream: logStreamName(target.streamPrefix, container, taskId) },
      { tail: EXCERPT_LINES },
    );
    return { attempt: attempt.attempt, container, lines: logExcerpt(lines.map((l) => l.message)) };
  } catch {
    return undefined;
  }
};
