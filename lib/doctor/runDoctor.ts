/**
 * `longshore doctor`: a read-only pre-flight check of an AWS account for a stage, before the deploy
 * (`before`) and after it. Each check (one module of lib/doctor/checks/) reads the account through
 * the doctor's ports (lib/ports.ts), and every problem becomes a finding saying what is wrong, why
 * the deploy or the jobs will fail, and the exact command that fixes it. A check that cannot decide
 * (access denied, throttled) says so as a warning instead of guessing. Secret values are never
 * printed or kept: only JSON key names.
 */
import { AppError } from '../errors.ts';
import type { DoctorPorts } from '../ports.ts';
import { checkBuckets } from './checks/buckets.ts';
import { checkCluster } from './checks/cluster.ts';
import { checkImages } from './checks/images.ts';
import { checkNetwork } from './checks/network.ts';
import { checkQueues } from './checks/queues.ts';
import { checkQuotas } from './checks/quotas.ts';
import { checkSecretAccess } from './checks/secretAccess.ts';
import { checkSecrets } from './checks/secrets.ts';
import { checkStageParameters } from './checks/stageParameters.ts';
import { add, type Check, type CheckContext, type DoctorInput } from './context.ts';
import { CHECKS, type CheckName, type CheckResult, type DoctorReport } from './findings.ts';

/** A check that could not decide: a warning naming the failed call, never a guess. */
const undecided = (ctx: CheckContext, check: CheckName, subject: string, e: unknown): void => {
  if (!(e instanceof AppError)) throw e;
  add(ctx, {
    check,
    severity: 'warning',
    subject,
    what: `could not be checked: ${e.message}`,
    why: 'the doctor reads the account with your credentials; this check needs the read permission named above',
    fix: 'run the doctor with credentials that may call it (e.g. the ReadOnlyAccess managed policy), then again',
  });
};

/**
 * Runs every check (each independently: one that cannot decide does not stop the others).
 *
 * @example const report = await runDoctor(awsDoctorPorts('eu-west-1'), { catalog, stage: 'prod', region: 'eu-west-1', before: true });
 */
export const runDoctor = async (ports: DoctorPorts, input: DoctorInput): Promise<DoctorReport> => {
  const ctx: CheckContext = { input, account: await ports.caller.accountId(), params: new Map(), out: [] };
  const checks: [CheckName, Check, string?][] = [
    ['stage-parameters', checkStageParameters],
    ['secrets', checkSecrets],
    [
      'secret-access',
      checkSecretAccess,
      input.before ? 'before the deploy: the execution role does not exist yet' : undefined,
    ],
    ['buckets', checkBuckets],
    ['queues', checkQueues],
    ['network', checkNetwork],
    ['cluster', checkCluster],
    ['images', checkImages],
    ['quotas', checkQuotas],
  ];
  const results: CheckResult[] = [];
  for (const [check, run, skipped] of checks) {
    if (skipped) {
      results.push({ check, title: CHECKS[check], status: 'skipped', note: skipped });
      continue;
    }
    const before = ctx.out.length;
    let note: string;
    try {
      note = await run(ctx, ports);
    } catch (e) {
      undecided(ctx, check, CHECKS[check], e);
      note = 'could not be completed';
    }
    results.push({ check, title: CHECKS[check], status: ctx.out.length > before ? 'findings' : 'ok', note });
  }
  const blocking = ctx.out.filter((f) => f.severity === 'blocking').length;
  return {
    stage: input.stage,
    region: input.region,
    account: ctx.account,
    before: input.before,
    checks: results,
    findings: ctx.out,
    blocking,
    warnings: ctx.out.length - blocking,
  };
};
