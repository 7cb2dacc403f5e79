/**
 * `longshore up` (and `npm start`): the flow on this machine. With --demo it plays the demo scenario
 * and prints a summary; on a terminal it then keeps going: files dropped into the bucket folders are
 * uploads, schedules tick on time, the sweeper runs every minute, until Ctrl-C. The flow itself is
 * lib/local (LocalRuntime, demo, watch); this prints what happens.
 */
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { LOCAL_STAGE, localDelayScale } from '../../local/environment.ts';
import { s3Pattern } from '../catalogText.ts';
import type { CommandContext } from '../commandContext.ts';
import { CliError, EXIT } from '../exitCodes.ts';
import { attachFlowLog, printRunSummary } from '../flowView.ts';
import type { Output } from '../Output.ts';

export interface UpOptions {
  stateDir: string;
  demo: boolean;
  watch: boolean;
  out: Output;
  catalogFile?: string;
  /** The project root (local.secrets.json, the tasks' working folder). */
  projectDir?: string;
}

export const localUp = async (opts: UpOptions): Promise<number> => {
  const { out } = opts;
  const [
    { LocalRuntime },
    { demoPlan, demoProblems, playDemo },
    { serveFlow, findFlow },
    { scriptFrom },
    { watchFlow },
  ] = await Promise.all([
    import('../../local/LocalRuntime.ts'),
    import('../../local/demo.ts'),
    import('../../local/flowServer.ts'),
    import('../../local/taskScript.ts'),
    import('../../local/watch.ts'),
  ]);
  // One flow per state folder: its embedded store is a LevelDB folder only one process can open
  // (a second one failed with dynalite's "Database is not open").
  const running = await findFlow(opts.stateDir);
  if (running)
    throw new CliError(
      `the local flow is already running (pid ${running.pid}, since ${running.startedAt}) on ${opts.stateDir}; use it from another terminal (npx longshore runs list, npx longshore trigger JOB), or stop it with Ctrl-C in its terminal (kill ${running.pid})`,
      EXIT.rejected,
    );
  const plan = opts.demo ? demoPlan(new Date()) : undefined;
  const rt = await LocalRuntime.start({
    mode: 'flow',
    stateDir: opts.stateDir,
    ...(opts.projectDir ? { projectDir: opts.projectDir } : {}),
    ...(opts.catalogFile ? { catalogFile: opts.catalogFile } : {}),
    script: scriptFrom(plan?.script ?? []),
    delayScale: localDelayScale(),
  });
  const stopServer = await serveFlow(rt);
  rt.onHandlerError = (fn, e) =>
    out.line(
      out.c.red(
        `handler ${fn} failed: ${e.name}: ${e.message} (deployed, Lambda would retry it twice, then keep the event in the dead-letter queue)`,
      ),
    );
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  if (!out.json) {
    out.line(
      out.c.bold('longshore local flow') +
        out.c.dim(
          `  stage '${LOCAL_STAGE}' on this machine, store ${rel(join(rt.stateDir, 'ddb'))} (dynalite), no AWS account`,
        ),
    );
    out.line(
      out.c.dim(
        `jobs: ${rt
          .catalog()
          .jobs.map((j) => j.name)
          .join(', ')}; task logs in ${rel(rt.logsDir)}`,
      ),
    );
    if (rt.secretsCreated)
      out.line(
        out.c.dim(
          "created local.secrets.json from local.secrets.example.json (git-ignored; the tasks' local secret values)",
        ),
      );
    for (const { job, variable } of rt.missingSecrets())
      out.line(
        out.c.yellow(
          `warning: job '${job}' secret ${variable} has no value in local.secrets.json ("jobs": { "${job}": { "${variable}": "..." } }); locally its tasks run without ${variable}`,
        ),
      );
    out.line(
      out.c.dim(
        'jobs.ts is read once, at start: restart after editing it. local.secrets.json is read again at each task start.',
      ),
    );
    out.line();
    attachFlowLog(rt.recorder, out, { delayScale: localDelayScale() });
  }
  const orphans = await rt.settleOrphans();
  if (orphans.length > 0 && !out.json)
    out.line(
      out.c.yellow(
        `cancelled ${orphans.length} run(s) an earlier local flow left running when it stopped: ${orphans.join(', ')}`,
      ),
    );
  let code = 0;
  try {
    if (plan) {
      const result = await playDemo(rt, plan, (step) => {
        if (!out.json) out.line(out.c.bold(step));
      });
      const problems = demoProblems(result);
      if (out.json) {
        out.document({
          runs: result.runs,
          alerts: rt.recorder.alerts,
          webhooks: result.webhooks,
          seconds: result.seconds,
          problems,
        });
      } else {
        out.line();
        out.line(out.c.bold('Summary'));
        printRunSummary(out, result.runs);
        out.line(
          `${result.runs.length} runs, ${result.runs.reduce((n, r) => n + r.attempts.length, 0)} tasks, ${result.alerts} alert(s) to SNS, ${result.webhooks} webhook post(s), in ${result.seconds.toFixed(1)}s.`,
        );
        out.line(
          problems.length === 0
            ? out.c.green('Every run ended as the demo expects.')
            : out.c.red(`Unexpected: ${problems.join('; ')}`),
        );
        out.line();
        out.line(
          `Look closer: ${out.c.cyan(`npx longshore runs show ${result.runs[1]?.run.runId ?? '<run>'}`)}   ${out.c.cyan('npx longshore runs list')}`,
        );
      }
      if (problems.length > 0) code = 1;
    }
    if (opts.watch) {
      const stop = watchFlow(rt, {
        upload: (bucket, key, size) => out.line(out.c.dim(`upload s3://${bucket}/${key} (${size} bytes)`)),
        unmatched: (bucket, key, why) => out.line(out.c.yellow(`upload s3://${bucket}/${key} starts no run: ${why}`)),
        tick: (job, expression, timezone, at) =>
          out.line(out.c.dim(`tick ${job} ${expression} (${timezone}) at ${at.toISOString()}`)),
        tickSkipped: (job, at, why) => out.line(out.c.yellow(`tick ${job} at ${at.toISOString()} not sent: ${why}`)),
        delivered: (where, file, outcome) => out.line(out.c.dim(`${where}: ${file} ${outcome}`)),
      });
      const patterns = rt
        .catalog()
        .jobs.flatMap((j) => j.triggers.flatMap((t) => (t.type === 's3' ? [s3Pattern(t)] : [])));
      out.line();
      out.line(
        out.c.bold('Watching.') +
          ` Drop a file into ${rel(rt.bucketsDir)}/<bucket>/... to upload it (buckets with jobs: ${[...new Set(patterns)].join(', ')}).`,
      );
      out.line(
        `Drop an event (JSON) into ${rel(rt.eventsDir)}/<bus>/ to put it on that bus (e.g. events/acme-shop/), a message body into ${rel(rt.queuesDir)}/<queue>/ to send it (e.g. queues/acme-orders-resend/).`,
      );
      out.line(
        `Schedules tick on time; the sweeper runs every minute. In another terminal: ${out.c.cyan('npx longshore trigger csv-ingest --object s3://acme-partner-drop/incoming/<a file there>.csv')}, ${out.c.cyan('npx longshore runs list')}. Ctrl-C to stop.`,
      );
      await new Promise<void>((resolveStop) => {
        process.once('SIGINT', () => resolveStop());
        process.once('SIGTERM', () => resolveStop());
      });
      stop();
      out.line(out.c.dim('stopping... (runs of running tasks are cancelled)'));
    }
  } finally {
    await stopServer();
    await rt.stop();
  }
  return code;
};

export const registerUpCommand = (program: Command, ctx: CommandContext): void => {
  program
    .command('up')
    .description('the whole flow on this machine: folders as buckets, schedule ticks, simulated ECS, embedded store')
    .option('--demo', 'play the demo scenario first')
    .option('--watch', 'keep running after the demo (default on a terminal, off when CI is set)')
    .option('--no-watch', 'exit after the demo')
    .action(async (opts: { demo?: boolean; watch?: boolean }, cmd: Command) => {
      const g = ctx.globals(cmd);
      ctx.setExit(
        await localUp({
          stateDir: resolve(g.state),
          projectDir: g.project,
          demo: opts.demo === true,
          watch: opts.watch ?? (process.stdout.isTTY === true && !process.env.CI),
          out: ctx.out(cmd),
          ...(g.catalog ? { catalogFile: g.catalog } : {}),
        }),
      );
    });
};
