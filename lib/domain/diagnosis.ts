/**
 * What happened to an attempt, in plain words, for the diagnosis a decision records ("exit 137:
 * container 'main' used more than its 2 GB and was killed (OutOfMemoryError)"), when the rule that
 * decided does not say it itself.
 */

import { type AttemptFacts, decidingContainer } from './attemptFacts.ts';
import { formatMemory } from './fargateSizes.ts';
import type { TaskSizeRecord } from './run.ts';
import { NOT_LAUNCHED_PREFIX, TIMEOUT_REASON_PREFIX } from './stopReasons.ts';

const excerpt = (text: string | undefined, max = 300): string =>
  text && text.length > max ? `${text.slice(0, max)}...` : (text ?? '');

/** Plain words for what happened, before the decision's own consequence is added. */
export const describeFailure = (facts: AttemptFacts, size: TaskSizeRecord): string => {
  if (facts.kind === 'launch') {
    const failure = facts.launchFailure ?? '';
    return failure.startsWith(NOT_LAUNCHED_PREFIX)
      ? `the task was not launched (RunTask was not called): ${excerpt(failure.slice(NOT_LAUNCHED_PREFIX.length + 2))}`
      : `RunTask refused the launch: ${excerpt(failure)}`;
  }
  const reason = facts.stoppedReason ?? '';
  const deciding = decidingContainer(facts);
  if (reason.startsWith(TIMEOUT_REASON_PREFIX))
    return `the run exceeded its timeout and was stopped (${reason.replace(/^longshore: /, '')})`;
  if (/CannotPullContainerError/.test(reason)) {
    const why = /not found|manifest unknown/i.test(reason)
      ? 'the image or tag does not exist'
      : /403|denied|unauthorized/i.test(reason)
        ? 'the execution role may not pull it'
        : /platform/i.test(reason)
          ? 'the image has no build for the task architecture'
          : 'see the reason';
    return `the image could not be pulled (${why}): ${excerpt(reason)}`;
  }
  if (/ResourceInitializationError|unable to pull secrets|unable to retrieve secret/.test(reason)) {
    const why = /KMS/i.test(reason)
      ? 'the execution role may not decrypt it with KMS'
      : /AccessDenied/i.test(reason)
        ? 'the execution role may not read it'
        : /ResourceNotFound|not found/i.test(reason)
          ? 'it does not exist'
          : 'see the reason';
    return `ECS could not read the task's secrets (${why}): ${excerpt(reason)}`;
  }
  if (facts.stopCode === 'SpotInterruption') return 'Fargate Spot took the capacity back (SpotInterruption)';
  if (facts.stopCode === 'TerminationNotice' || facts.stopCode === 'InfrastructureHealth')
    return `AWS stopped the task (${facts.stopCode}): ${excerpt(reason)}`;
  if (deciding?.exitCode === 137 && /OutOfMemoryError/.test(deciding.reason ?? reason)) {
    return `exit 137: container '${deciding.name}' used more than its ${formatMemory(size.memory)} and was killed (OutOfMemoryError)`;
  }
  if (deciding?.exitCode !== undefined)
    return `exit ${deciding.exitCode}: container '${deciding.name}' failed${deciding.reason ? ` (${excerpt(deciding.reason, 200)})` : ''}`;
  if (facts.stopCode === 'UserInitiated') return `the task was stopped from outside longshore: ${excerpt(reason)}`;
  return `the task stopped without an exit code${facts.stopCode ? ` (${facts.stopCode})` : ''}: ${excerpt(reason)}`;
};
