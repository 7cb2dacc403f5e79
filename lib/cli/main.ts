/**
 * The longshore command line. Local by default (the embedded store of the local flow, in
 * `.longshore/`); `--stage` (and `--region`) for a deployed stack. One module per command group in
 * lib/cli/commands/; errors become exit codes here, once (lib/cli/exitCodes.ts).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { AppError, CatalogError } from '../errors.ts';
import { shutdownEngine } from '../local/engine.ts';
import { commandContext, type Globals } from './commandContext.ts';
import { registerBackfillCommand } from './commands/backfill.ts';
import { registerBucketsCommand } from './commands/buckets.ts';
import { registerConsoleCommand } from './commands/console.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerExplainCommand } from './commands/explain.ts';
import { registerInvokeCommand } from './commands/invoke.ts';
import { registerJobsCommands } from './commands/jobs.ts';
import { registerPlanCommand } from './commands/plan.ts';
import { registerRunsCommands } from './commands/runs.ts';
import { registerTriggerCommand } from './commands/trigger.ts';
import { registerUpCommand } from './commands/up.ts';
import { CliError, EXIT, exitCodeFor } from './exitCodes.ts';

/** The project's version, from its package.json (the CLI runs from the sources). */
const version = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const buildProgram = (setExit: (code: number) => void): Command => {
  const program = new Command('longshore');
  // Before any subcommand exists: commander copies these settings into each subcommand when it is
  // created, so a usage error of `runs show` is a CommanderError here (exit 2) and its help lists
  // the global options too.
  program
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    // Under --json the usage error is the JSON document main prints; otherwise commander's words.
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => {
        if (!program.opts<Globals>().json) write(s);
      },
    })
    .version(version(), '-V, --version', 'the version of longshore')
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
  registerConsoleCommand(program, ctx);
  registerBackfillCommand(program, ctx);
  registerDlqCommands(program, ctx);
  return program;
};

/** Runs the CLI; resolves to the exit code. */
export const main = async (argv: string[]): Promise<number> => {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = Math.max(code, c);
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    const g = program.opts<Globals>();
    return reportError(e, g.catalog, g.json === true);
  } finally {
    // The embedded store (if a command started one) must not keep the process alive.
    await shutdownEngine();
  }
};

/** What went wrong: its exit code, its one-line message and, for a refusal of the service, its code. */
interface Failure {
  exitCode: number;
  message: string;
  code?: string;
}

const failureOf = (e: unknown, catalogFile: string | undefined): Failure | undefined => {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return undefined;
    return { exitCode: EXIT.invalid, message: e.message.replace(/^error: /, '') };
  }
  if (e instanceof CliError) return { exitCode: e.exitCode, message: e.message };
  if (e instanceof CatalogError) {
    // Only `jobs validate` lists the problems; every other command says where to see them.
    const n = e.problems.length;
    return {
      exitCode: EXIT.invalid,
      code: e.code,
      message: `the job catalog ${catalogFile ?? 'jobs.ts'} is invalid (${n} problem${n === 1 ? '' : 's'}); see them with: npx longshore jobs validate${catalogFile ? ` --catalog ${catalogFile}` : ''}`,
    };
  }
  if (e instanceof AppError) return { exitCode: exitCodeFor(e.code), code: e.code, message: e.message };
  return { exitCode: EXIT.internal, message: `unexpected error: ${(e as Error).stack ?? String(e)}` };
};

/**
 * Says what went wrong and answers the exit code: on stderr in one line, or under --json as the one
 * JSON document on stdout (`{ "error": { "exitCode", "message", "code"? } }`), so a script that
 * parses stdout gets JSON either way.
 */
const reportError = (e: unknown, catalogFile: string | undefined, json: boolean): number => {
  const failure = failureOf(e, catalogFile);
  if (!failure) return EXIT.ok;
  if (json) process.stdout.write(`${JSON.stringify({ error: failure }, null, 2)}\n`);
  // Commander has said it already (its usage error and the help hint), unless under --json.
  else if (!(e instanceof CommanderError)) process.stderr.write(`longshore: ${failure.message}\n`);
  return failure.exitCode;
};
