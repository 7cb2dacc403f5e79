/**
 * `longshore up` (and `npm start`): the flow on this machine. With --demo it plays the demo scenario
 * and prints a summary; on a terminal it then keeps going: files dropped into the bucket folders are
 * uploads, schedules tick on time, the sweeper runs every minute, until Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Output } from '../cli/output.ts';
import { cronOccurrences, parseScheduleExpression } from '../domain/scheduleExpression.ts';
import { watchBuckets } from './buckets.ts';
import { demoPlan, playDemo, printRunSummary } from './demo.ts';
import { attachFlowLog } from './flowLog.ts';
import { serveFlow } from './flowServer.ts';
import { scriptFrom } from './outcomeScript.ts';
import { LOCAL_STAGE, LocalRuntime, localDelayScale } from './runtime.ts';

export interface UpOptions {
  stateDir: string;
  demo: boolean;
  watch: boolean;
  out: Output;
  catalogFile?: string;
}

/** Expected endings of the demo's four runs; the demo exits 1 if any differs. */
const checkDemo = (
  runs: { run: { job: string; status: string; attempt: number; capacity: string; size: { memory: number } } }[],
  alerts: number,
): string[] => {
  const problems: string[] = [];
  const [thumb, oom, spot, report] = runs.map((r) => r.run);
  if (thumb?.status !== 'SUCCEEDED') problems.push(`thumbnails ended ${thumb?.status}`);
  if (oom?.status !== 'SUCCEEDED' || oom.attempt !== 2 || oom.size.memory !== 4096)
    problems.push(`the OOM run ended ${oom?.status} at attempt ${oom?.attempt} with ${oom?.size.memory} MiB`);
  if (spot?.status !== 'SUCCEEDED' || spot.attempt !== 2 || spot.capacity !== 'FARGATE')
    problems.push(`the Spot run ended ${spot?.status} at attempt ${spot?.attempt} on ${spot?.capacity}`);
  if (report?.status !== 'FAILED') problems.push(`the report run ended ${report?.status}`);
  if (alerts < 1) problems.push('no alert was sent');
  return problems;
};

const scheduleTicks = (rt: LocalRuntime, out: Output): (() => void) => {
  const timers: NodeJS.Timeout[] = [];
  for (const job of rt.catalog().jobs) {
    job.triggers.forEach((t, i) => {
      if (t.type !== 'schedule' || !t.enabled) return;
      const expr = parseScheduleExpression(t.expression);
      const arm = () => {
        const now = new Date();
        const next =
          expr.kind === 'rate'
            ? new Date(now.getTime() + expr.everySeconds * 1000)
            : cronOccurrences(
                expr.cron,
                t.timezone,
                new Date(now.getTime() + 1000),
                new Date(now.getTime() + 8 * 86400_000),
                1,
              )[0];
        if (!next) return;
        timers.push(
          setTimeout(
            () => {
              out.line(out.c.dim(`tick ${job.name} ${t.expression} (${t.timezone}) at ${next.toISOString()}`));
              void rt.tick(job.name, i, next);
              arm();
            },
            Math.min(next.getTime() - now.getTime(), 2 ** 31 - 1),
          ),
        );
      };
      arm();
    });
  }
  return () => {
    for (const t of timers) clearTimeout(t);
  };
};

export const localUp = async (opts: UpOptions): Promise<number> => {
  const { out } = opts;
  const plan = opts.demo ? demoPlan(new Date()) : undefined;
  const rt = await LocalRuntime.start({
    mode: 'flow',
    stateDir: opts.stateDir,
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
    out.line();
    attachFlowLog(rt, out);
  }
  let code = 0;
  try {
    if (plan) {
      const result = await playDemo(rt, plan, out);
      const problems = checkDemo(result.runs, result.alerts);
      if (!result.idle) problems.push('the flow did not settle within 90 s');
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
      const stopWatch = watchBuckets(
        rt.bucketsDir,
        rt.catalog,
        (bucket, key, size) => {
          out.line(out.c.dim(`upload s3://${bucket}/${key} (${size} bytes)`));
          void rt.invoke(
            'onUpload',
            rt.objectCreatedEvent(bucket, key, readFileSync(join(rt.bucketsDir, bucket, key))),
          );
        },
        rt.delivered,
      );
      const stopTicks = scheduleTicks(rt, out);
      const sweeper = setInterval(() => void rt.sweep(), 60_000);
      out.line();
      out.line(
        out.c.bold('Watching.') +
          ` Drop a file into ${rel(rt.bucketsDir)}/<bucket>/... to upload it (buckets with jobs: ${[...new Set(rt.catalog().jobs.flatMap((j) => j.triggers.flatMap((t) => (t.type === 's3' ? [`${t.bucket}/${t.prefix ?? ''}*${t.suffix ?? ''}`] : []))))].join(', ')}).`,
      );
      out.line(
        `Schedules tick on time; the sweeper runs every minute. In another terminal: ${out.c.cyan('npx longshore trigger csv-ingest --env BATCH_ROWS=10')}, ${out.c.cyan('npx longshore runs list')}. Ctrl-C to stop.`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      clearInterval(sweeper);
      stopTicks();
      stopWatch();
      out.line(out.c.dim('stopping...'));
    }
  } finally {
    await stopServer();
    await rt.stop();
  }
  return code;
};
