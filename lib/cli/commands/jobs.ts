/** `longshore jobs list | validate`: the catalog. */
import type { Command } from 'commander';
import { formatCpu, formatMemory } from '../../domain/fargateSizes.ts';
import { CatalogError } from '../../errors.ts';
import { describeAfterGraph, describeTrigger } from '../catalogText.ts';
import type { CommandContext } from '../commandContext.ts';
import { EXIT } from '../exitCodes.ts';

export const registerJobsCommands = (program: Command, ctx: CommandContext): void => {
  const jobs = program.command('jobs').description('the job catalog');
  jobs
    .command('list')
    .description('list the jobs of the catalog')
    .action(async (_o, cmd: Command) => {
      const o = ctx.out(cmd);
      const catalog = await ctx.loadCatalog(ctx.globals(cmd).catalog);
      if (o.json) return o.document({ jobs: catalog.jobs });
      o.table(
        ['job', 'triggers', 'size', 'capacity', 'concurrency', 'timeout'],
        catalog.jobs.map((j) => [
          j.name,
          j.triggers.map((t) => describeTrigger(t)).join('\n'),
          `${formatCpu(j.size.cpu)}, ${formatMemory(j.size.memory)}`,
          j.capacity.type,
          j.maxConcurrent !== undefined ? String(j.maxConcurrent) : 'unlimited',
          j.timeout,
        ]),
      );
      const graph = describeAfterGraph(catalog);
      if (graph.length > 0) {
        o.line('');
        o.line('jobs that run after jobs:');
        for (const edge of graph) o.line(`  ${edge}`);
      }
    });
  jobs
    .command('validate')
    .description('validate the catalog; every problem is listed, naming the job and the field')
    .action(async (_o, cmd: Command) => {
      const o = ctx.out(cmd);
      try {
        const catalog = await ctx.loadCatalog(ctx.globals(cmd).catalog);
        if (o.json) o.document({ valid: true, jobs: catalog.jobs.map((j) => j.name) });
        else
          o.line(`${o.c.green('valid')}: ${catalog.jobs.length} jobs (${catalog.jobs.map((j) => j.name).join(', ')})`);
      } catch (e) {
        if (!(e instanceof CatalogError)) throw e;
        if (o.json) o.document({ valid: false, problems: e.problems });
        else o.line(e.message);
        ctx.setExit(EXIT.invalid);
      }
    });
};
