/** `longshore explain EVENT_FILE [--run RUN]`: the policy simulator, printed (lib/cli/explainEvent.ts decides). */
import type { Command } from 'commander';
import { formatCpu, formatMemory } from '../../domain/fargateSizes.ts';
import { checkRunId } from '../arguments.ts';
import { type CommandContext, readJson, withBackend } from '../commandContext.ts';
import { CliError, EXIT } from '../exitCodes.ts';
import { type Explanation, explainEvent } from '../explainEvent.ts';
import type { TriggerEventExplanation } from '../explainTriggerEvent.ts';
import type { Output } from '../Output.ts';

const printTriggerEvent = (o: Output, x: TriggerEventExplanation): void => {
  o.line(x.what);
  for (const s of x.starts) {
    if (s.problems) {
      o.line(`  ${o.c.bold(s.job)} (its trigger #${s.triggerIndex}, ${s.from}) matches, but cannot start a run:`);
      for (const p of s.problems) o.line(`    ${o.c.red(p)}`);
      continue;
    }
    o.line(`  starts ${o.c.bold(s.job)} as run ${s.runId} (its trigger #${s.triggerIndex}, ${s.from}), with:`);
    for (const [name, value] of Object.entries(s.environment ?? {})) o.line(`    ${name}=${value}`);
  }
  o.line(`  ${x.note}`);
};

const printExplanation = (o: Output, x: Explanation): void => {
  if (x.kind === 'upload') {
    for (const obj of x.objects) {
      o.line(`s3://${obj.bucket}/${obj.key}`);
      if (obj.jobs.length === 0) o.line('  matches no job: logged at debug, nothing runs');
      for (const j of obj.jobs)
        o.line(
          j.batch
            ? `  joins the open batch of ${o.c.bold(j.job)} (${j.batch}): one run per batch, the object in exactly one`
            : `  starts ${o.c.bold(j.job)} as run ${j.runId} (once, however often the event is delivered)`,
        );
    }
    for (const i of x.ignored) o.line(`ignored: ${i}`);
    return;
  }
  if (x.kind === 'schedule') {
    o.line(x.job ? `${o.c.bold(x.job)}: ${x.note}` : x.note);
    return;
  }
  if (x.kind === 'triggerEvent' || x.kind === 'messages') {
    for (const item of x.kind === 'messages' ? x.messages : [x]) printTriggerEvent(o, item);
    return;
  }
  if (x.kind === 'runEvent') {
    o.line(`${o.c.bold(x.upstream.job)} run ${x.upstream.runId} ${x.upstream.status}`);
    for (const s of x.starts) {
      o.line(`  starts ${o.c.bold(s.job)} as run ${s.runId} (its trigger #${s.triggerIndex}), with:`);
      for (const [name, value] of Object.entries(s.environment)) o.line(`    ${name}=${value}`);
    }
    o.line(`  ${x.note}`);
    return;
  }
  o.line(`${o.c.bold(x.job)}${x.runId ? ` run ${x.runId} attempt ${x.attempt}` : ''}: task ${x.status}`);
  if (x.note) {
    o.line(`  ${x.note}`);
    return;
  }
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
};

export const registerExplainCommand = (program: Command, ctx: CommandContext): void => {
  program
    .command('explain')
    .description('the policy simulator: what the service would do with this event, and why')
    .argument('<event-file>')
    .option('--run <run>', 'decide with this run as recorded (attempt, budgets used, size)')
    .action(async (file: string, opts: { run?: string }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      if (opts.run !== undefined) checkRunId('--run', opts.run);
      const catalog = await ctx.loadCatalog(g.catalog);
      const run = opts.run
        ? await withBackend(g, async (b) => {
            const h = await b.history(opts.run as string);
            if (!h) throw new CliError(`Run '${opts.run}' does not exist`, EXIT.notFound);
            return h.run;
          })
        : undefined;
      const x = explainEvent(catalog, readJson(file), g.stage ?? 'dev', run);
      if (o.json) return o.document(x);
      printExplanation(o, x);
    });
};
