/**
 * What a failed RunTask means: throttling and capacity shortages are back-pressure (try again later,
 * or on on-demand capacity for Spot); anything else is a configuration problem that retrying the
 * same request will not fix.
 */

export type LaunchFailureKind = 'throttled' | 'capacity' | 'config';

const THROTTLED_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'TimeoutError',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);

const CAPACITY_PATTERNS = [
  /Capacity is unavailable/i,
  /RESOURCE:(?:CPU|MEMORY|GPU|PORTS|ENI)/,
  /reached the limit on the number of vCPUs/i,
  /quota of tasks in the PROVISIONING/i,
  /No Container Instances were found/i,
  /\bAGENT\b/,
];

/**
 * @param error the exception's name (e.g. "ThrottlingException"), if RunTask threw
 * @param message the exception message or the `failures[].reason` (+ detail)
 */
export const classifyLaunchFailure = (error: string | undefined, message: string): LaunchFailureKind => {
  if (error !== undefined && THROTTLED_ERRORS.has(error)) return 'throttled';
  if (/Rate exceeded/i.test(message)) return 'throttled';
  if (CAPACITY_PATTERNS.some((p) => p.test(message))) return 'capacity';
  return 'config';
};
