/**
 * The failure policy (README, "The failure policy"): ordered rules, first match wins. Pure: no AWS, no clock, no
 * randomness of its own (jitter comes from the run and attempt, so a redelivered event decides the
 * same). A job's own rules come first, then the shipped defaults below.
 */
import type { Backoff, Job, PolicyRule } from '../catalog/schema.ts';
import { type AttemptFacts, decidingContainer } from './attemptFacts.ts';
import { fullJitterDelay, stableRandom } from './backoff.ts';
import { DEFAULT_RULES, type DefaultRule } from './defaultRules.ts';
import { describeFailure } from './diagnosis.ts';
import { parseDuration } from './duration.ts';
import { formatCpu, formatMemory, smallestSizeWith } from './fargateSizes.ts';
import type { RetryCounts, TaskSizeRecord } from './run.ts';
import { TIMEOUT_REASON_PREFIX } from './stopReasons.ts';

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

/** Matches anything; ends every rule list so that a decision always has a rule. */
const FALLBACK: DefaultRule = { name: 'no-matching-rule', match: { reason: '' }, action: 'fail' };

export const rulesFor = (job: Job): readonly DefaultRule[] => [
  ...job.policy.rules,
  ...(job.policy.useDefaultRules ? DEFAULT_RULES : []),
  FALLBACK,
];

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
/**
 * The retry budget a rule counts on: its own (`retries` on the rule), the infrastructure budget
 * (`policy.maxInfrastructureRetries`, capped by the rule's `retries`), or the job's own
 * (`policy.retries`); what is used of it, and the counts once one more retry is spent.
 */
const budgetFor = (rule: DefaultRule, job: Job, counts: RetryCounts) => {
  if (rule.retries !== undefined && rule.budget !== 'infra') {
    const used = counts.rules[rule.name] ?? 0;
    return {
      kind: 'rule' as const,
      used,
      max: rule.retries,
      name: `rule '${rule.name}' allows ${rule.retries}`,
      spend: (): RetryCounts => ({ ...counts, rules: { ...counts.rules, [rule.name]: used + 1 } }),
    };
  }
  if (rule.budget === 'infra' || rule.countsAgainstBudget === false) {
    const max = Math.min(rule.retries ?? Number.POSITIVE_INFINITY, job.policy.maxInfrastructureRetries);
    return {
      kind: 'infra' as const,
      used: counts.infra,
      max,
      name: `policy.maxInfrastructureRetries is ${max}`,
      spend: (): RetryCounts => ({ ...counts, infra: counts.infra + 1 }),
    };
  }
  return {
    kind: 'app' as const,
    used: counts.app,
    max: job.policy.retries,
    name: `policy.retries is ${job.policy.retries}`,
    spend: (): RetryCounts => ({ ...counts, app: counts.app + 1 }),
  };
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
        // Bounded by the memory cap, not by a budget; counted under the rule's name so the run's
        // retries say why it has another attempt ("1 out-of-memory").
        retries: {
          ...run.retries,
          rules: { ...run.retries.rules, [rule.name]: (run.retries.rules[rule.name] ?? 0) + 1 },
        },
        nextAttempt: run.attempt + 1,
        maxAttempts: run.attempt + 1,
        ...withCode,
      };
    }
    case 'retry': {
      const budget = budgetFor(rule, job, run.retries);
      const { used, max } = budget;
      if (used >= max) return fail(`no retries left (${used} of ${max} used; ${budget.name})`);
      const delaySeconds = fullJitterDelay(
        backoffSpec(rule.backoff ?? job.policy.backoff),
        used,
        stableRandom(`${run.runId}#${run.attempt}`),
      );
      const retries = budget.spend();
      const infra = rule.budget === 'infra' || rule.countsAgainstBudget === false;
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
