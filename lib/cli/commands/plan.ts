/** `longshore plan`: what `osls deploy` would create from the catalog, offline. */
import type { Command } from 'commander';
import { validateStage } from '../../infra/context.ts';
import type { CommandContext } from '../commandContext.ts';
import { formatPlan, planSummary } from '../planSummary.ts';

export const registerPlanCommand = (program: Command, ctx: CommandContext): void => {
  program
    .command('plan')
    .description('what `osls deploy` would create from the catalog, offline')
    .action(async (_o, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      const { functions } = await import('../../../functions/index.ts');
      const plan = planSummary(await ctx.loadCatalog(g.catalog), validateStage(g.stage ?? 'dev'), functions);
      if (o.json) o.document(plan);
      else o.line(formatPlan(plan));
    });
};
