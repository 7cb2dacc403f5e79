/**
 * The rules longshore ships, for the common classes of failure (README "The failure policy"). A
 * job's own rules come before them (`policy.rules`), and `useDefaultRules: false` leaves them out.
 */
import type { PolicyRule } from '../catalog/schema.ts';
import { LOST_REASON_PREFIX, startsWithPattern, TIMEOUT_REASON_PREFIX } from './stopReasons.ts';

/** A shipped rule may count on the infrastructure budget (Spot, retirement, lost tasks, start failures). */
export type DefaultRule = PolicyRule & { budget?: 'infra' };

/**
 * The shipped rules, for the common classes of failure. Configuration errors fail at once (they do
 * not heal by retrying), except their network-timeout variants; infrastructure events retry without
 * counting against the application's budget.
 */
export const DEFAULT_RULES: readonly DefaultRule[] = [
  {
    name: 'image-pull-timeout',
    match: {
      reason:
        'CannotPullContainerError.*(i/o timeout|TLS handshake timeout|context deadline exceeded|connection reset|Client\\.Timeout)',
    },
    action: 'retry',
    retries: 3,
    backoff: { base: '30s', factor: 2, cap: '5m' },
    diagnosis:
      'the image registry could not be reached in time (network timeout while pulling); check NAT or the ECR and S3 VPC endpoints if it persists',
  },
  { name: 'image-not-pullable', match: { reason: 'CannotPullContainerError' }, action: 'fail' },
  {
    name: 'secrets-timeout',
    match: { reason: 'ResourceInitializationError.*(context deadline exceeded|i/o timeout|RequestCanceled)' },
    action: 'retry',
    retries: 3,
    backoff: { base: '30s', factor: 2, cap: '5m' },
    diagnosis:
      'ECS timed out fetching secrets or registry auth (network); check NAT or the Secrets Manager and SSM VPC endpoints if it persists',
  },
  {
    name: 'secrets-unreadable',
    match: { reason: 'ResourceInitializationError|unable to pull secrets|unable to retrieve secret' },
    action: 'fail',
  },
  { name: 'spot-interruption', match: { stopCodes: ['SpotInterruption'] }, action: 'retry-on-demand' },
  { name: 'out-of-memory', match: { exitCodes: [137], reason: 'OutOfMemoryError' }, action: 'retry-bigger' },
  {
    name: 'platform-retirement',
    match: { stopCodes: ['TerminationNotice', 'InfrastructureHealth'] },
    action: 'retry',
    budget: 'infra',
    backoff: { base: '5s', factor: 2, cap: '1m' },
    diagnosis:
      'AWS stopped the task for infrastructure maintenance (Fargate retirement or host health), not because of the job',
  },
  {
    name: 'task-lost',
    match: { reason: startsWithPattern(LOST_REASON_PREFIX) },
    action: 'retry',
    budget: 'infra',
    backoff: { base: '5s', factor: 2, cap: '1m' },
    diagnosis: 'ECS no longer knows the task and its STOPPED event never arrived',
  },
  { name: 'timed-out', match: { reason: startsWithPattern(TIMEOUT_REASON_PREFIX) }, action: 'fail' },
  {
    name: 'start-failure',
    match: { stopCodes: ['TaskFailedToStart'] },
    action: 'retry',
    budget: 'infra',
    retries: 2,
    backoff: { base: '30s', factor: 2, cap: '5m' },
    diagnosis: 'the task failed to start',
  },
  { name: 'stopped-by-someone', match: { stopCodes: ['UserInitiated', 'ServiceSchedulerInitiated'] }, action: 'fail' },
  { name: 'launch-rejected', match: { launchFailure: '.' }, action: 'fail' },
  { name: 'application-error', match: { exitCodes: [[1, 255]] }, action: 'retry' },
  { name: 'unexplained', match: { reason: '' }, action: 'fail' },
];
