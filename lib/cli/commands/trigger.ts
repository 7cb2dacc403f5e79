/** `longshore trigger JOB`: start a job now (it needs a manual trigger in the catalog). */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { parseTriggerOptions, type TriggerOptions } from '../arguments.ts';
import { type CommandContext, waitForRun } from '../commandContext.ts';
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
    .option('--wait', 'wait for the run to finish (always, for the local store without a running flow)')
    .action(async (job: string, opts: TriggerOptions & { wait?: boolean }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      const request = parseTriggerOptions(job, opts, () => `cli-${randomUUID()}`);
      await controlRequest(g, request, async (r, b) => {
        if (o.json && !opts.wait && !b.label.startsWith('local (')) o.document(r);
        else if (!o.json) o.line(`${r.created ? 'Created' : 'Found'} run ${o.c.bold(r.runId)} (${o.status(r.status)})`);
        ctx.setExit(await waitForRun(b, o, r.runId, opts.wait === true, g));
      });
    });
};
