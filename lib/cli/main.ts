/**
 * The longshore command line. Local by default (the embedded store of the local flow, in
 * `.longshore/`); `--stage` (and `--region`) for a deployed stack. One module per command group in
 * lib/cli/commands/; errors become exit codes here, once (lib/cli/exitCodes.ts).
 */
import { Command, CommanderError } from 'commander';
import { AppError, CatalogError } from '../errors.ts';
import { shutdownEngine } from '../local/engine.ts';
import { commandContext, type Globals } from './commandContext.ts';
import { registerBucketsCommand } from './commands/buckets.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerExplainCommand } from './commands/explain.ts';
import { registerInvokeCommand } from './commands/invoke.ts';
import { registerJobsCommands } from './commands/jobs.ts';
import { registerPlanCommand } from './commands/plan.ts';
import { registerRunsCommands } from './commands/runs.ts';
import { registerTriggerCommand } from './commands/trigger.ts';
import { registerUpCommand } from './commands/up.ts';
import { CliError, EXIT, exitCodeFor } from './exitCodes.ts';

export const buildProgram = (setExit: (code: number) => void): Command => {
  const program = new Command('longshore')
    .description(
      'Run containers on AWS Fargate for every upload, schedule tick or manual trigger; locally or on a deployed stage.',
    )
    .option('--json', 'print one JSON document')
    .option('--no-color', 'no colours')
    .option('--stage <stage>', 'a deployed stage (reads the stack longshore-<stage>); default: the local store')
    .option('--region <region>', 'AWS Region of the stage (default: AWS_REGION, else eu-west-1)')
    .option('--local', 'the local store (default unless --stage)')
    .option('--state <dir>', 'local state directory', '.longshore')
    .option('--catalog <file>', 'another job catalog module (default: jobs.ts)')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 internal error, 2 invalid input, 3 run or job not found, 4 request refused,
5 backend unreachable (stack, credentials, AWS), 6 with --wait: the run did not succeed,
7 doctor: a blocking finding.`,
    );
  const ctx = commandContext(program, setExit);
  registerJobsCommands(program, ctx);
  registerPlanCommand(program, ctx);
  registerBucketsCommand(program, ctx);
  registerInvokeCommand(program, ctx);
  registerRunsCommands(program, ctx);
  registerTriggerCommand(program, ctx);
  registerExplainCommand(program, ctx);
  registerUpCommand(program, ctx);
  registerDoctor(program, ctx);
  return program;
};

/** Runs the CLI; resolves to the exit code. */
export const main = async (argv: string[]): Promise<number> => {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = Math.max(code, c);
  });
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    return reportError(e, program.opts<Globals>().catalog);
  } finally {
    // The embedded store (if a command started one) must not keep the process alive.
    await shutdownEngine();
  }
};

/** Says what went wrong on stderr, in one line, and answers the exit code. */
const reportError = (e: unknown, catalogFile: string | undefined): number => {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
  if (e instanceof CliError) {
    process.stderr.write(`longshore: ${e.message}\n`);
    return e.exitCode;
  }
  if (e instanceof CatalogError) {
    // Only `jobs validate` lists the problems; every other command says where to see them.
    const n = e.problems.length;
    process.stderr.write(
      `longshore: the job catalog ${catalogFile ?? 'jobs.ts'} is invalid (${n} problem${n === 1 ? '' : 's'}); see them with: npx longshore jobs validate${catalogFile ? ` --catalog ${catalogFile}` : ''}\n`,
    );
    return EXIT.invalid;
  }
  if (e instanceof AppError) {
    process.stderr.write(`longshore: ${e.message}\n`);
    return exitCodeFor(e.code);
  }
  process.stderr.write(`longshore: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
  return EXIT.internal;
};
