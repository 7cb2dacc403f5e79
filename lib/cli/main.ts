/**
 * The longshore command line. Local by default (the embedded store of the local flow, in
 * `.longshore/`); `--stage` (and `--region`) for a deployed stack.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import rawCatalog from '../../jobs.ts';
import type { Catalog } from '../catalog/schema.ts';
import { validateCatalog } from '../catalog/validate.ts';
import type { ControlRequestInput, ControlResponse } from '../contracts/control.ts';
import { parseDuration } from '../domain/duration.ts';
import { formatCpu, formatMemory } from '../domain/fargateSizes.ts';
import { isFinal, type Run } from '../domain/run.ts';
import { AppError, CatalogError } from '../errors.ts';
import { validateStage } from '../infra/context.ts';
import { shutdownEngine } from '../local/engine.ts';
import {
  checkJobName,
  checkPositiveInteger,
  checkReason,
  checkRunId,
  checkStatus,
  checkToken,
  parseCommandOption,
  parseEnvOptions,
} from './arguments.ts';
import { awsBackend, type Backend, directLocalBackend, flowBackend } from './backends.ts';
import { registerBucketsCommand } from './buckets.ts';
import { explainEvent } from './explain.ts';
import { CliError, EXIT, type Output, outputFor } from './output.ts';
import { formatPlan, planSummary } from './plan.ts';
import { printRunHistory, printRunList } from './views.ts';

interface Globals {
  json?: boolean;
  color?: boolean;
  stage?: string;
  region?: string;
  local?: boolean;
  state: string;
  catalog?: string;
}

const loadCatalog = async (file?: string): Promise<Catalog> => {
  if (!file) return validateCatalog(rawCatalog);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  } catch (e) {
    throw new CliError(`Cannot load catalog ${file}: ${(e as Error).message}`, EXIT.invalid);
  }
  return validateCatalog(mod.default);
};

const readJson = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`Cannot read ${file} as JSON: ${(e as Error).message}`, EXIT.invalid);
  }
};

const openBackend = async (g: Globals): Promise<Backend> => {
  if (g.stage && !g.local) {
    validateStage(g.stage);
    return awsBackend(g.stage, g.region ?? process.env.AWS_REGION ?? 'eu-west-1');
  }
  const { findFlow } = await import('../local/flowServer.ts');
  const flow = await findFlow(resolve(g.state));
  if (flow) return flowBackend(flow);
  return directLocalBackend(resolve(g.state), g.catalog);
};

const withBackend = async <T>(g: Globals, fn: (b: Backend) => Promise<T>): Promise<T> => {
  const b = await openBackend(g);
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
};

/** Who asks, as the control contract takes it (at most 128 characters). */
const requester = (): string => (process.env.USER || 'cli').slice(0, 128);

/** Control answers become exit codes scripts can rely on. */
const checkControl = (r: ControlResponse): Extract<ControlResponse, { ok: true }> => {
  if (r.ok) return r;
  const code =
    r.error.code === 'RUN_NOT_FOUND' || r.error.code === 'JOB_UNKNOWN'
      ? EXIT.notFound
      : r.error.code === 'EVENT_INVALID'
        ? EXIT.invalid
        : EXIT.rejected;
  throw new CliError(r.error.message, code);
};

const sinceOf = (text?: string): string | undefined => {
  if (!text) return undefined;
  const seconds = parseDuration(text);
  if (seconds !== undefined) return new Date(Date.now() - seconds * 1000).toISOString();
  if (!Number.isNaN(Date.parse(text))) return new Date(text).toISOString();
  throw new CliError(`--since '${text}' is neither a duration (2h, 1d) nor a date`, EXIT.invalid);
};

const runWait = async (b: Backend, out: Output, runId: string, wait: boolean, g: Globals): Promise<number> => {
  if (!wait && !(b.local && b.label.startsWith('local ('))) return EXIT.ok;
  if (!out.json) out.line(out.c.dim(b.local ? 'Running it locally...' : 'Waiting for the run to finish...'));
  const h = await b.waitFor(runId, b.local ? 120_000 : 6 * 3600_000);
  if (!h) throw new CliError(`Run ${runId} disappeared`, EXIT.notFound);
  const { activeCatalog } = await import('../catalog/active.ts');
  printRunHistory(out, activeCatalog(), h, b.local ? resolve(g.state, 'logs') : undefined);
  return isFinal(h.run.status) && h.run.status !== 'SUCCEEDED' ? EXIT.runFailed : EXIT.ok;
};

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
5 backend unreachable (stack, credentials, AWS), 6 with --wait: the run did not succeed.`,
    );
  const globals = (cmd: Command) => cmd.optsWithGlobals() as Globals;
  const out = (cmd: Command) => outputFor(globals(cmd));

  const jobs = program.command('jobs').description('the job catalog');
  jobs
    .command('list')
    .description('list the jobs of the catalog')
    .action(async (_o, cmd: Command) => {
      const o = out(cmd);
      const catalog = await loadCatalog(globals(cmd).catalog);
      if (o.json) return o.document({ jobs: catalog.jobs });
      o.table(
        ['job', 'triggers', 'size', 'capacity', 'concurrency', 'timeout'],
        catalog.jobs.map((j) => [
          j.name,
          j.triggers
            .map((t) =>
              t.type === 's3'
                ? `s3://${t.bucket}/${t.prefix ?? ''}*${t.suffix ?? ''}`
                : t.type === 'schedule'
                  ? `${t.expression} ${t.timezone}`
                  : 'manual',
            )
            .join('\n'),
          `${formatCpu(j.size.cpu)}, ${formatMemory(j.size.memory)}`,
          j.capacity.type,
          j.maxConcurrent !== undefined ? String(j.maxConcurrent) : 'unlimited',
          j.timeout,
        ]),
      );
    });
  jobs
    .command('validate')
    .description('validate the catalog; every problem is listed, naming the job and the field')
    .action(async (_o, cmd: Command) => {
      const o = out(cmd);
      try {
        const catalog = await loadCatalog(globals(cmd).catalog);
        if (o.json) o.document({ valid: true, jobs: catalog.jobs.map((j) => j.name) });
        else
          o.line(`${o.c.green('valid')}: ${catalog.jobs.length} jobs (${catalog.jobs.map((j) => j.name).join(', ')})`);
      } catch (e) {
        if (!(e instanceof CatalogError)) throw e;
        if (o.json) o.document({ valid: false, problems: e.problems });
        else o.line(e.message);
        setExit(EXIT.invalid);
      }
    });

  program
    .command('plan')
    .description('what `osls deploy` would create from the catalog, offline')
    .action(async (_o, cmd: Command) => {
      const g = globals(cmd);
      const o = out(cmd);
      const { functions } = await import('../../functions/index.ts');
      const plan = planSummary(await loadCatalog(g.catalog), validateStage(g.stage ?? 'dev'), functions);
      if (o.json) o.document(plan);
      else o.line(formatPlan(plan));
    });

  registerBucketsCommand(program, { globals, out, loadCatalog, setExit });

  program
    .command('invoke')
    .description(
      'invoke a handler on an event file, AWS mocked, the store embedded; prints every AWS call, record change and event',
    )
    .argument('<function>', 'onUpload, onSchedule, control, launcher, onTaskStateChange, sweeper or alert')
    .argument('<event-file>', 'a JSON event (see events/)')
    .addHelpText(
      'after',
      '\nThe store persists between invocations in --state (default .longshore/invoke), so a sequence of invokes plays a whole run.',
    )
    .action(async (fn: string, file: string, _o, cmd: Command) => {
      const g = globals(cmd);
      // Its own store by default, apart from the local flow's (which may be running).
      const state = program.getOptionValueSource('state') === 'default' ? resolve(g.state, 'invoke') : g.state;
      const o = out(cmd);
      const { FUNCTION_KEYS, LocalRuntime } = await import('../local/runtime.ts');
      if (!(FUNCTION_KEYS as readonly string[]).includes(fn))
        throw new CliError(`Unknown function '${fn}'; use ${FUNCTION_KEYS.join(', ')}`, EXIT.invalid);
      const event = readJson(file);
      const { invokeWithReport, printInvokeReport } = await import('../local/invokeReport.ts');
      const rt = await LocalRuntime.start({
        mode: 'invoke',
        stateDir: state,
        ...(g.catalog ? { catalogFile: g.catalog } : {}),
      });
      try {
        const report = await invokeWithReport(rt, fn as never, event, file);
        if (o.json) o.document(report);
        else printInvokeReport(o, report);
        if (!report.ok) setExit(report.error?.name === 'InvalidEventError' ? EXIT.invalid : EXIT.internal);
      } finally {
        await rt.stop();
      }
    });

  const runs = program.command('runs').description('runs: list, show, retry, cancel');
  runs
    .command('list')
    .description('runs, newest first')
    .option('--job <job>', 'only this job')
    .option(
      '--status <status>',
      'only runs in this status (QUEUED, STARTING, RUNNING, CANCELLING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, SKIPPED)',
    )
    .option('--since <when>', 'created since a duration ago (2h, 1d) or a date')
    .option('--limit <n>', 'at most this many', '20')
    .action(async (opts: { job?: string; status?: string; since?: string; limit: string }, cmd: Command) => {
      const g = globals(cmd);
      const o = out(cmd);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a positive integer', EXIT.invalid);
      const since = sinceOf(opts.since);
      if (opts.job) checkJobName('--job', opts.job);
      const status = opts.status ? checkStatus(opts.status) : undefined;
      const catalog = await loadCatalog(g.catalog);
      const names = opts.job ? [opts.job] : catalog.jobs.map((j) => j.name);
      if (opts.job && !catalog.jobs.some((j) => j.name === opts.job))
        throw new CliError(`Unknown job '${opts.job}'`, EXIT.notFound);
      await withBackend(g, async (b) => {
        const all: Run[] = [];
        for (const job of names) {
          let cursor: string | undefined;
          do {
            const page = await b.runsOfJob(job, {
              limit: 100,
              ...(since ? { since } : {}),
              ...(cursor ? { cursor } : {}),
            });
            all.push(...page.runs.filter((r) => !status || r.status === status));
            cursor = all.length < limit * names.length ? page.cursor : undefined;
          } while (cursor);
        }
        printRunList(o, all.sort((a, c) => c.createdAt.localeCompare(a.createdAt)).slice(0, limit));
      });
    });
  runs
    .command('show')
    .description('a run with its attempts: exit codes, decisions with rule and diagnosis, logs, durations, cost')
    .argument('<run>')
    .action(async (runId: string, _o, cmd: Command) => {
      const g = globals(cmd);
      const o = out(cmd);
      checkRunId('run', runId);
      const catalog = await loadCatalog(g.catalog);
      await withBackend(g, async (b) => {
        const h = await b.history(runId);
        if (!h) throw new CliError(`Run '${runId}' does not exist in ${b.label}`, EXIT.notFound);
        printRunHistory(o, catalog, h, b.local ? resolve(g.state, 'logs') : undefined);
      });
    });
  runs
    .command('retry')
    .description('run a finished run again, as a new run with the same trigger')
    .argument('<run>')
    .option('--token <token>', 'client token (repeat the command safely)')
    .option('--wait', 'wait for the new run to finish')
    .action(async (runId: string, opts: { token?: string; wait?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const o = out(cmd);
      checkRunId('run', runId);
      if (opts.token !== undefined) checkToken(opts.token);
      await withBackend(g, async (b) => {
        const r = checkControl(
          await b.control({
            action: 'retry',
            runId,
            clientToken: opts.token ?? `cli-${randomUUID()}`,
            requestedBy: requester(),
          }),
        );
        if (o.json && !opts.wait) o.document(r);
        else if (!o.json)
          o.line(
            `${r.created ? 'Created' : 'Found'} run ${o.c.bold(r.runId)} (${o.status(r.status)}), a retry of ${runId}`,
          );
        setExit(await runWait(b, o, r.runId, opts.wait === true, g));
      });
    });
  runs
    .command('cancel')
    .description('cancel a run: its task is stopped; CANCELLING until the task has stopped, then CANCELLED')
    .argument('<run>')
    .option('--reason <text>', 'why (recorded and sent to the task as the stop reason)')
    .action(async (runId: string, opts: { reason?: string }, cmd: Command) => {
      const g = globals(cmd);
      const o = out(cmd);
      checkRunId('run', runId);
      if (opts.reason !== undefined) checkReason(opts.reason);
      await withBackend(g, async (b) => {
        const r = checkControl(
          await b.control({
            action: 'cancel',
            runId,
            ...(opts.reason ? { reason: opts.reason } : {}),
            requestedBy: requester(),
          }),
        );
        if (o.json) o.document(r);
        else o.line(`Run ${o.c.bold(r.runId)} is ${o.status(r.status)}`);
      });
    });

  program
    .command('trigger')
    .description('start a job now (it needs a manual trigger in the catalog)')
    .argument('<job>')
    .option('--env <NAME=VALUE...>', 'environment for this run (repeatable)')
    .option('--token <token>', 'client token: the same token never starts a second run')
    .option('--cpu <units>', 'cpu for this run')
    .option('--memory <mib>', 'memory for this run (MiB)')
    .option('--command <json>', 'command for this run, as a JSON array')
    .option('--wait', 'wait for the run to finish (always, for the local store without a running flow)')
    .action(
      async (
        job: string,
        opts: { env?: string[]; token?: string; cpu?: string; memory?: string; command?: string; wait?: boolean },
        cmd: Command,
      ) => {
        const g = globals(cmd);
        const o = out(cmd);
        checkJobName('job', job);
        if (opts.token !== undefined) checkToken(opts.token);
        const environment = parseEnvOptions(opts.env ?? []);
        const command = opts.command !== undefined ? parseCommandOption(opts.command) : undefined;
        const overrides = {
          ...(Object.keys(environment).length ? { environment } : {}),
          ...(command ? { command } : {}),
          ...(opts.cpu !== undefined ? { cpu: checkPositiveInteger('--cpu', opts.cpu) } : {}),
          ...(opts.memory !== undefined ? { memory: checkPositiveInteger('--memory', opts.memory) } : {}),
        };
        const request: ControlRequestInput = {
          action: 'trigger',
          job,
          clientToken: opts.token ?? `cli-${randomUUID()}`,
          requestedBy: requester(),
          ...(Object.keys(overrides).length ? { overrides } : {}),
        };
        await withBackend(g, async (b) => {
          const r = checkControl(await b.control(request));
          if (o.json && !opts.wait && !b.label.startsWith('local (')) o.document(r);
          else if (!o.json)
            o.line(`${r.created ? 'Created' : 'Found'} run ${o.c.bold(r.runId)} (${o.status(r.status)})`);
          setExit(await runWait(b, o, r.runId, opts.wait === true, g));
        });
      },
    );

  program
    .command('explain')
    .description('the policy simulator: what the service would do with this event, and why')
    .argument('<event-file>')
    .option('--run <run>', 'decide with this run as recorded (attempt, budgets used, size)')
    .action(async (file: string, opts: { run?: string }, cmd: Command) => {
      const g = globals(cmd);
      const o = out(cmd);
      if (opts.run !== undefined) checkRunId('--run', opts.run);
      const catalog = await loadCatalog(g.catalog);
      const run = opts.run
        ? await withBackend(g, async (b) => {
            const h = await b.history(opts.run as string);
            if (!h) throw new CliError(`Run '${opts.run}' does not exist`, EXIT.notFound);
            return h.run;
          })
        : undefined;
      const x = explainEvent(catalog, readJson(file), g.stage ?? 'dev', run);
      if (o.json) return o.document(x);
      if (x.kind === 'upload') {
        for (const obj of x.objects) {
          o.line(`s3://${obj.bucket}/${obj.key}`);
          if (obj.jobs.length === 0) o.line('  matches no job: logged at debug, nothing runs');
          for (const j of obj.jobs)
            o.line(`  starts ${o.c.bold(j.job)} as run ${j.runId} (once, however often the event is delivered)`);
        }
        for (const i of x.ignored) o.line(`ignored: ${i}`);
        return;
      }
      if (x.kind === 'schedule') return o.line(x.job ? `${o.c.bold(x.job)}: ${x.note}` : x.note);
      o.line(`${o.c.bold(x.job)}${x.runId ? ` run ${x.runId} attempt ${x.attempt}` : ''}: task ${x.status}`);
      if (x.note) return o.line(`  ${x.note}`);
      o.line(o.c.dim(`  assuming ${x.assumed}`));
      o.table(
        ['#', 'rule', 'action', 'matches'],
        (x.rules ?? []).map((r, i) => [
          String(i + 1),
          r.decides ? o.c.bold(r.name) : r.name,
          r.action,
          r.decides ? o.c.green('yes: decides') : r.matched ? 'yes (after the first match)' : 'no',
        ]),
      );
      const v = x.verdict;
      if (v) {
        o.fields([
          ['decision', `${v.action} [rule ${v.rule}]`],
          ['diagnosis', v.diagnosis],
          ['next', v.next],
          [
            'then',
            v.outcome === 'retry'
              ? `attempt ${v.nextAttempt} on ${v.capacity}, ${formatCpu(v.size.cpu)}, ${formatMemory(v.size.memory)}, after ${v.delaySeconds}s`
              : v.outcome === 'success'
                ? 'the run SUCCEEDS'
                : `the run is ${v.finalStatus}; an alert goes out`,
          ],
        ]);
      }
    });

  program
    .command('up')
    .description('the whole flow on this machine: folders as buckets, schedule ticks, simulated ECS, embedded store')
    .option('--demo', 'play the demo scenario first')
    .option('--watch', 'keep running after the demo (default on a terminal, off when CI is set)')
    .option('--no-watch', 'exit after the demo')
    .action(async (opts: { demo?: boolean; watch?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const { localUp } = await import('../local/up.ts');
      setExit(
        await localUp({
          stateDir: resolve(g.state),
          demo: opts.demo === true,
          watch: opts.watch ?? (process.stdout.isTTY === true && !process.env.CI),
          out: out(cmd),
          ...(g.catalog ? { catalogFile: g.catalog } : {}),
        }),
      );
    });

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
  if (e instanceof AppError && e.code === 'CONFIG_INVALID') {
    process.stderr.write(`longshore: ${e.message}\n`);
    return EXIT.invalid;
  }
  if (e instanceof AppError) {
    process.stderr.write(`longshore: ${e.message}\n`);
    return e.code === 'EVENT_INVALID'
      ? EXIT.invalid
      : e.code === 'RUN_NOT_FOUND' || e.code === 'JOB_UNKNOWN'
        ? EXIT.notFound
        : EXIT.rejected;
  }
  process.stderr.write(`longshore: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
  return EXIT.internal;
};
