/**
 * The reasons longshore writes itself: on StopTask (ECS echoes them in the STOPPED event's
 * `stoppedReason`, which is how the tracker tells a timeout or a cancel apart from anything else),
 * on the STOPPED event the sweeper makes up for a lost task, and on a launch that never reached
 * RunTask. One home for each prefix, so the policy's rules and the writers cannot drift.
 */

export const TIMEOUT_REASON_PREFIX = 'longshore: timed out';
export const CANCEL_REASON_PREFIX = 'longshore: cancelled';
export const LOST_REASON_PREFIX = 'longshore: task lost';
/** A launch the launcher refused before calling RunTask (nothing was sent to ECS). */
export const NOT_LAUNCHED_PREFIX = 'longshore: not launched';

export const timeoutReason = (ranFor: string, limit: string): string =>
  `${TIMEOUT_REASON_PREFIX} after ${ranFor} (limit ${limit})`;
export const cancelReason = (why: string): string => `${CANCEL_REASON_PREFIX}: ${why}`;
export const LOST_REASON = `${LOST_REASON_PREFIX}: ECS no longer knows the task and its STOPPED event never arrived`;
export const notLaunchedReason = (why: string): string => `${NOT_LAUNCHED_PREFIX}: ${why}`;

/** Escapes a prefix for a policy rule's regular expression. */
export const startsWithPattern = (prefix: string): string => `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
