/**
 * The failure policy (DESIGN §6): ordered rules, first match wins. Pure: no AWS, no clock, no
 * randomness of its own (jitter comes from the run and attempt, so a redelivered event decides the
 * same). A job's own rules come first, then the shipped defaults below.
 */
import type { Backoff, Job, PolicyRule } from '../catalog/schema.ts';
import { fullJitterDelay, stableRandom } from './backoff.ts';
import { parseDuration } from './duration.ts';
import { formatCpu, formatMemory, smallestSizeWith } from './fargateSizes.ts';
import type { ContainerResult, RetryCounts, TaskSizeRecord } from './run.ts';
import { LOST_REASON_PREFIX, NOT_LAUNCHED_PREFIX, startsWithPattern, TIMEOUT_REASON_PREFIX } from './stopReasons.ts';

export interface AttemptFacts {
  kind: 'task' | 'launch';
  containers: ContainerResult[];
  stopCode?: string;
  stoppedReason?: string;
  launchFailure?: string;
}

export interface PolicyRun {
  runId: string;
  attempt: number;
  capacity: string;
  size: TaskSizeRecord;
  retries: RetryCounts;
}

interface VerdictBase {
  rule: string;
  diagnosis: string;
  next: string;
  /** The deciding container's exit code, if it has one. */
  exitCode?: number;
}

export type Verdict =
  | (VerdictBase & { outcome: 'success'; action: 'succeed' | 'ignore' })
  | (VerdictBase & {
      outcome: 'retry';
      action: 'retry' | 'retry-on-demand' | 'retry-bigger';
      delaySeconds: number;
      capacity: string;
      size: TaskSizeRecord;
      retries: RetryCounts;
      /** The next attempt's number, and the most attempts the budget that allowed it permits. */
      nextAttempt: number;
      maxAttempts: number;
    })
  | (VerdictBase & { outcome: 'fail'; action: 'fail'; finalStatus: 'FAILED' | 'TIMED_OUT' });

type DefaultRule = PolicyRule & { budget?: 'infra' };

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

/** Matches anything; ends every rule list so that a decision always has a rule. */
const FALLBACK: DefaultRule = { name: 'no-matching-rule', match: { reason: '' }, action: 'fail' };

export const rulesFor = (job: Job): readonly DefaultRule[] => [
  ...job.policy.rules,
  ...(job.policy.useDefaultRules ? DEFAULT_RULES : []),
  FALLBACK,
];

/** The essential container whose exit decided the attempt (the first one that did not exit 0). */
export const decidingContainer = (facts: AttemptFacts): ContainerResult | undefined =>
  facts.containers.find((c) => c.essential !== false && c.exitCode !== 0);

export const isSuccess = (facts: AttemptFacts): boolean =>
  facts.kind === 'task' && facts.containers.length > 0 && decidingContainer(facts) === undefined;

const reasons = (facts: AttemptFacts): string[] =>
  [facts.stoppedReason, ...facts.containers.map((c) => c.reason)].filter((r): r is string => r !== undefined);

export const ruleMatches = (rule: PolicyRule, facts: AttemptFacts): boolean => {
  const m = rule.match;
  if (facts.kind === 'launch') {
    if (rule === FALLBACK) return true;
    return m.launchFailure !== undefined && new RegExp(m.launchFailure).test(facts.launchFailure ?? '');
  }
  if (m.launchFailure !== undefined) return false;
  const code = decidingContainer(facts)?.exitCode;
  if (
    m.exitCodes &&
    (code === undefined || !m.exitCodes.some((c) => (Array.isArray(c) ? code >= c[0] && code <= c[1] : code === c)))
  )
    return false;
  if (m.stopCodes && (facts.stopCode === undefined || !m.stopCodes.includes(facts.stopCode))) return false;
  if (m.reason !== undefined) {
    const re = new RegExp(m.reason);
    if (m.reason !== '' && !reasons(facts).some((r) => re.test(r))) return false;
  }
  return true;
};

const seconds = (text: string): number => parseDuration(text) ?? 0;
const backoffSpec = (b: Backoff) => ({ baseSeconds: seconds(b.base), factor: b.factor, capSeconds: seconds(b.cap) });
const wait = (s: number): string =>
  s <= 0 ? 'now' : `in ${s >= 60 ? `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}` : `${s}s`}`;
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

const maxMemoryOf = (job: Job): number => job.policy.maxMemory ?? Math.min(job.size.memory * 4, 122880);

/**
 * Decides what follows an attempt that ended.
 *
 * @example decide(job, run, { kind: 'task', containers: [{ name: 'main', exitCode: 0, essential: true }] }).outcome // 'success'
 */
export const decide = (job: Job, run: PolicyRun, facts: AttemptFacts): Verdict => {
  const deciding = decidingContainer(facts);
  const exitCode = deciding?.exitCode;
  const withCode = exitCode !== undefined ? { exitCode } : {};
  if (isSuccess(facts))
    return {
      outcome: 'success',
      action: 'succeed',
      rule: 'success',
      diagnosis: 'every essential container exited 0',
      next: 'done',
    };

  const rule = rulesFor(job).find((r) => ruleMatches(r, facts)) as DefaultRule;
  const what = rule.diagnosis ?? describeFailure(facts, run.size);
  const timedOut = (facts.stoppedReason ?? '').startsWith(TIMEOUT_REASON_PREFIX);
  const fail = (why: string): Verdict => ({
    outcome: 'fail',
    action: 'fail',
    rule: rule.name,
    diagnosis: what,
    next: `giving up: ${why}`,
    finalStatus: timedOut ? 'TIMED_OUT' : 'FAILED',
    ...withCode,
  });

  switch (rule.action) {
    case 'ignore':
      return {
        outcome: 'success',
        action: 'ignore',
        rule: rule.name,
        diagnosis: what,
        next: 'done (the policy treats this exit as success)',
        ...withCode,
      };
    case 'fail':
      return fail(
        rule.name === 'launch-rejected' || /image|secret/.test(rule.name)
          ? 'a configuration error does not heal by retrying'
          : `rule '${rule.name}' says fail`,
      );
    case 'retry-on-demand': {
      const used = run.retries.infra;
      if (used >= job.policy.maxInfrastructureRetries)
        return fail(`${used} infrastructure retries used (policy.maxInfrastructureRetries)`);
      // A job that never wants on-demand capacity retries on Spot instead.
      const stayOnSpot = job.capacity.type === 'fargate-spot' && job.capacity.fallback === 'none';
      return {
        outcome: 'retry',
        action: 'retry-on-demand',
        rule: rule.name,
        diagnosis: what,
        next: `retrying now on ${stayOnSpot ? 'Fargate Spot (fallback: none)' : 'on-demand Fargate'} as attempt ${run.attempt + 1} (not counted against the retry budget)`,
        delaySeconds: 0,
        capacity: stayOnSpot ? run.capacity : 'FARGATE',
        size: run.size,
        retries: { ...run.retries, infra: used + 1 },
        nextAttempt: run.attempt + 1,
        maxAttempts: run.attempt + 1 + job.policy.retries - run.retries.app,
        ...withCode,
      };
    }
    case 'retry-bigger': {
      const cap = maxMemoryOf(job);
      const target = Math.max(run.size.memory + 1, Math.ceil(run.size.memory * job.policy.memoryGrowth));
      const next =
        job.capacity.type === 'ec2'
          ? { cpu: run.size.cpu, memory: Math.min(target, cap) }
          : (smallestSizeWith(target, run.size.cpu) ?? undefined);
      if (!next || next.memory > cap || next.memory <= run.size.memory) {
        return fail(
          `${formatMemory(run.size.memory)} is already the most this job may use (policy.maxMemory ${formatMemory(cap)})`,
        );
      }
      const grown =
        next.cpu !== run.size.cpu
          ? `${formatMemory(next.memory)} and ${formatCpu(next.cpu)}`
          : formatMemory(next.memory);
      return {
        outcome: 'retry',
        action: 'retry-bigger',
        rule: rule.name,
        diagnosis: `${what}; retrying with ${grown}`,
        next: `retrying now with ${grown} as attempt ${run.attempt + 1}`,
        delaySeconds: 0,
        capacity: run.capacity,
        size: next,
        retries: run.retries,
        nextAttempt: run.attempt + 1,
        maxAttempts: run.attempt + 1,
        ...withCode,
      };
    }
    case 'retry': {
      const own = rule.retries !== undefined && rule.budget !== 'infra';
      const infra = rule.budget === 'infra' || rule.countsAgainstBudget === false;
      const used = own ? (run.retries.rules[rule.name] ?? 0) : infra ? run.retries.infra : run.retries.app;
      const max = own
        ? (rule.retries as number)
        : infra
          ? Math.min(rule.retries ?? Number.POSITIVE_INFINITY, job.policy.maxInfrastructureRetries)
          : job.policy.retries;
      const budgetName = own
        ? `rule '${rule.name}' allows ${max}`
        : infra
          ? `policy.maxInfrastructureRetries is ${max}`
          : `policy.retries is ${max}`;
      if (used >= max) return fail(`no retries left (${used} of ${max} used; ${budgetName})`);
      const delaySeconds = fullJitterDelay(
        backoffSpec(rule.backoff ?? job.policy.backoff),
        used,
        stableRandom(`${run.runId}#${run.attempt}`),
      );
      const retries: RetryCounts = own
        ? { ...run.retries, rules: { ...run.retries.rules, [rule.name]: used + 1 } }
        : infra
          ? { ...run.retries, infra: used + 1 }
          : { ...run.retries, app: used + 1 };
      const maxAttempts = run.attempt + (max - used);
      return {
        outcome: 'retry',
        action: 'retry',
        rule: rule.name,
        diagnosis: what,
        next: `retrying ${wait(delaySeconds)} as attempt ${run.attempt + 1} of ${maxAttempts}${infra ? ' (not counted against the retry budget)' : ''}`,
        delaySeconds,
        capacity: run.capacity,
        size: run.size,
        retries,
        nextAttempt: run.attempt + 1,
        maxAttempts,
        ...withCode,
      };
    }
  }
};
