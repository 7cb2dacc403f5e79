/** `longshore trigger JOB`: start a job now (it needs a manual trigger in the catalog). */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { parseObjectOption, parseTriggerOptions, type TriggerOptions } from '../arguments.ts';
import type { Backend } from '../backends.ts';
import { type CommandContext, waitForRun } from '../commandContext.ts';
import { CliError, EXIT } from '../exitCodes.ts';
import { controlRequest } from './runs.ts';

export const registerTriggerCommand = (program: Command, ctx: CommandContext): void => {
  program
    .command('trigger')
    .description('start a job now (it needs a manual trigger in the catalog)')
    .argument('<job>')
    .option('--env <NAME=VALUE...>', 'environment for this run (repeatable)')
    .option('--token <token>', 'client token: the same token never starts a second run')
    .option('--cpu <units>', 'cpu for this run')
    .option('--memory <mib>', 'memory for this run (MiB)')
    .option('--command <json>', 'command for this run, as a JSON array')
    .option(
      '--image-tag <tag>',
      "run on this tag of the job's main image (a task definition revision is registered for it)",
    )
    .option('--image <uri>', 'run on this image (where the job allows it: overrides.image)')
    .option('--object <s3://bucket/key>', 'run it on this object, as an upload of it would (S3_BUCKET, S3_KEY, ...)')
    .option('--force', 'with --object: a new run even if the object has one already')
    .option('--wait', 'wait for the run to finish (always, for the local store without a running flow)')
    .action(async (job: string, opts: TriggerOptions & { wait?: boolean }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      const request = parseTriggerOptions(job, opts, () => `cli-${randomUUID()}`);
      const target = opts.object !== undefined ? parseObjectOption(opts.object) : undefined;
      if (opts.force && !target) throw new CliError('--force needs --object (a new run of that object)', EXIT.invalid);
      const withObject = async (b: Backend) => {
        if (!target) return request;
        const facts = await b.objectFacts(target.bucket, target.key);
        if (!facts)
          throw new CliError(
            `s3://${target.bucket}/${target.key} does not exist in ${b.local ? 'the local bucket folders' : b.label}`,
            EXIT.notFound,
          );
        return { ...request, object: { ...target, ...facts }, ...(opts.force ? { force: true } : {}) };
      };
      await controlRequest(g, withObject, async (r, b) => {
        if (o.json && !opts.wait && !b.label.startsWith('local (')) o.document(r);
        else if (!o.json) o.line(`${r.created ? 'Created' : 'Found'} run ${o.c.bold(r.runId)} (${o.status(r.status)})`);
        if (!o.json && r.paused)
          o.line(
            o.c.yellow(
              `Job ${job} is paused: ${r.paused === 'skip' ? 'the run will be recorded SKIPPED' : 'the run waits as PAUSED'} until \`npx longshore jobs resume ${job}\``,
            ),
          );
        ctx.setExit(await waitForRun(b, o, r.runId, opts.wait === true, g));
      });
    });
};
