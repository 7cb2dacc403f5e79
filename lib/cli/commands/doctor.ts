/**
 * `longshore doctor --stage S [--region R] [--before]`: the read-only pre-flight check of an AWS
 * account (lib/doctor), rendered for people or as one JSON document. Exit code 7 when a finding is
 * blocking, so a deploy script can stop. The doctor runs in this process: the command is to it what
 * a handler is to a use case, and takes it and its wiring (lib/doctor/wiring.ts) by dynamic import,
 * so that other commands never load its eleven AWS clients.
 */
import type { Command } from 'commander';
import type { CheckResult, DoctorReport, Finding } from '../../doctor/findings.ts';
import { validateStage } from '../../infra/context.ts';
import type { CommandContext } from '../commandContext.ts';
import { CliError, EXIT } from '../exitCodes.ts';
import type { Output } from '../Output.ts';

/** Exit code of `doctor` when at least one finding is blocking (warnings alone exit 0). */
export const DOCTOR_BLOCKING_EXIT = 7;

const mark = (o: Output, r: CheckResult, findings: Finding[]): string => {
  if (r.status === 'skipped') return o.c.dim('-');
  if (findings.some((f) => f.severity === 'blocking')) return o.c.red('✗');
  if (findings.length) return o.c.yellow('!');
  return o.c.green('✓');
};

/** The report as text: each check, its findings with what, why and fix, and a verdict. */
export const printDoctorReport = (o: Output, report: DoctorReport): void => {
  o.line(
    `${o.c.bold('longshore doctor')}: stage ${report.stage} in ${report.region} (account ${report.account}), ${report.before ? 'before the first deploy' : 'after the deploy'}`,
  );
  o.line();
  for (const r of report.checks) {
    const findings = report.findings.filter((f) => f.check === r.check);
    const count = findings.length
      ? ` ${findings.filter((f) => f.severity === 'blocking').length} blocking, ${findings.filter((f) => f.severity === 'warning').length} warning`
      : '';
    o.line(`${mark(o, r, findings)} ${o.c.bold(r.title)}${o.c.dim(` (${r.note})`)}${count}`);
    for (const f of findings) {
      o.line(`    ${f.severity === 'blocking' ? o.c.red('blocking') : o.c.yellow('warning')}  ${f.subject}`);
      o.line(`      what: ${f.what}`);
      o.line(`      why:  ${f.why}`);
      const [first, ...rest] = f.fix.split('\n');
      o.line(`      fix:  ${o.c.cyan(first ?? '')}`);
      for (const line of rest) o.line(`            ${o.c.cyan(line)}`);
    }
  }
  o.line();
  o.line(
    report.blocking
      ? `${o.c.red(`${report.blocking} blocking`)}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}: fix the blocking findings${report.before ? ' before deploying' : ''}.`
      : `${o.c.green('ready')}: no blocking finding${report.warnings ? `, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}` : ''}.`,
  );
};

const parseParams = (pairs: string[]): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const kv of pairs) {
    const i = kv.indexOf('=');
    if (i < 1 || !kv.slice(i + 1).startsWith('/'))
      throw new CliError(`--param '${kv}' is not NAME=/ssm/path`, EXIT.invalid);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
};

export const registerDoctor = (program: Command, deps: CommandContext): void => {
  program
    .command('doctor')
    .description(
      'check an AWS account for a stage, read-only: parameters, secrets, buckets, network, cluster, images, quotas',
    )
    .option('--before', 'before the first deploy (the stack, its cluster and roles do not exist yet)')
    .option('--cluster-arn <arn>', 'the existing cluster the stage runs on (its stage parameter clusterArn)')
    .option('--param <name=/ssm/path...>', 'a stage parameter read from another SSM path (as osls deploy --param)')
    .addHelpText(
      'after',
      `\nEach finding says what is wrong, why the deploy or the jobs will fail, and the command that fixes it.\nExit code ${DOCTOR_BLOCKING_EXIT} when a finding is blocking. Secret values are never printed: only JSON key names.`,
    )
    .action(async (opts: { before?: boolean; clusterArn?: string; param?: string[] }, cmd: Command) => {
      const g = deps.globals(cmd);
      const o = deps.out(cmd);
      if (!g.stage) throw new CliError('doctor needs --stage <stage> (the stage to check)', EXIT.invalid);
      const stage = validateStage(g.stage);
      const region = g.region ?? process.env.AWS_REGION ?? 'eu-west-1';
      const catalog = await deps.loadCatalog(g.catalog);
      const { awsDoctorPorts } = await import('../../doctor/wiring.ts');
      const { runDoctor } = await import('../../doctor/runDoctor.ts');
      const ports = awsDoctorPorts(region);
      let report: DoctorReport;
      try {
        report = await runDoctor(ports, {
          catalog,
          stage,
          region,
          before: opts.before === true,
          ...(opts.clusterArn ? { clusterArn: opts.clusterArn } : {}),
          ...(opts.param ? { paramPaths: parseParams(opts.param) } : {}),
        });
      } catch (e) {
        throw new CliError(`Cannot check the account: ${(e as Error).message}`, EXIT.backend);
      }
      if (o.json) o.document(report);
      else printDoctorReport(o, report);
      if (report.blocking > 0) deps.setExit(DOCTOR_BLOCKING_EXIT);
    });
};
