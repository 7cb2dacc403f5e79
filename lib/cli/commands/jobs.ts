/** `longshore jobs list | validate | pause | resume`: the catalog, and pausing a job without a redeploy. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Catalog } from '../../catalog/schema.ts';
import type { PauseResponse } from '../../contracts/control.ts';
import { formatCpu, formatMemory } from '../../domain/fargateSizes.ts';
import type { JobState } from '../../domain/jobState.ts';
import { CatalogError } from '../../errors.ts';
import { checkJobName } from '../arguments.ts';
import { describeAfterGraph, describeTrigger } from '../catalogText.ts';
import { type CommandContext, type Globals, requester, withBackend } from '../commandContext.ts';
import { CliError, EXIT, exitCodeFor } from '../exitCodes.ts';
import type { Output } from '../Output.ts';

/**
 * The jobs' states (paused or not) where they are kept: a stage's table, or the local store when
 * there is one (no local store: nothing was ever paused, and none is created to say so).
 */
const jobStates = async (g: Globals, catalog: Catalog): Promise<Map<string, JobState>> => {
  const states = new Map<string, JobState>();
  if (!(g.stage && !g.local) && !existsSync(g.state)) return states;
  await withBackend(g, async (b) => {
    for (const j of catalog.jobs) {
      const state = await b.jobState(j.name);
      if (state) states.set(j.name, state);
    }
  });
  return states;
};

/** "paused (hold) since 2026-11-22T10:00:00Z by alice", or "running". */
const stateText = (state: JobState | undefined): string =>
  state?.paused
    ? `paused (${state.mode ?? 'hold'})${state.pausedAt ? ` since ${state.pausedAt.replace(/\.\d{3}Z$/, 'Z')}` : ''}${state.pausedBy ? ` by ${state.pausedBy}` : ''}`
    : 'running';

const sendPause = async (
  g: Globals,
  request: { action: 'pause'; job: string; mode: 'hold' | 'skip' } | { action: 'resume'; job: string },
): Promise<{ answer: Extract<PauseResponse, { ok: true }>; flowRuns: boolean }> =>
  withBackend(g, async (b) => {
    // The control function answers a pause or a resume with its own shape (PauseResponse).
    const answer = (await b.control({ ...request, requestedBy: requester() })) as unknown as PauseResponse;
    if (!answer.ok) throw new CliError(answer.error.message, exitCodeFor(answer.error.code));
    // The local store without a running flow: released runs wait in its queue for the next `up`.
    return { answer, flowRuns: !b.label.startsWith('local (') };
  });

const scheduleLines = (o: Output, answer: Extract<PauseResponse, { ok: true }>, verb: 'disabled' | 'enabled') => {
  for (const s of answer.schedules)
    o.line(
      `  schedule ${s.schedule}: ${
        s.result === 'changed'
          ? verb
          : s.result === 'unchanged'
            ? `${verb} already`
            : o.c.yellow('not found in EventBridge Scheduler (is the stage deployed with this catalog?)')
      }`,
    );
};

export const registerJobsCommands = (program: Command, ctx: CommandContext): void => {
  const jobs = program.command('jobs').description('the job catalog');
  jobs
    .command('list')
    .description('list the jobs of the catalog')
    .action(async (_o, cmd: Command) => {
      const o = ctx.out(cmd);
      const g = ctx.globals(cmd);
      const catalog = await ctx.loadCatalog(g.catalog);
      const states = await jobStates(g, catalog);
      if (o.json)
        return o.document({
          jobs: catalog.jobs.map((j) => ({
            ...j,
            state: states.get(j.name) ?? { job: j.name, paused: false, pauses: [] },
          })),
        });
      o.table(
        ['job', 'state', 'triggers', 'size', 'capacity', 'concurrency', 'timeout'],
        catalog.jobs.map((j) => [
          j.name,
          states.get(j.name)?.paused ? o.c.yellow(stateText(states.get(j.name))) : 'running',
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
    .command('pause')
    .description(
      'pause a job without a redeploy: its new runs wait as PAUSED (--skip: are recorded SKIPPED), its schedules are disabled; runs already started go on',
    )
    .argument('<job>')
    .option('--skip', "record the paused job's new runs SKIPPED (they never run) instead of holding them")
    .action(async (job: string, opts: { skip?: boolean }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      checkJobName('job', job);
      const { answer } = await sendPause(g, { action: 'pause', job, mode: opts.skip ? 'skip' : 'hold' });
      if (o.json) return o.document(answer);
      const how =
        answer.state.mode === 'skip'
          ? 'its new runs are recorded SKIPPED'
          : 'its new runs wait as PAUSED (runs list --status PAUSED)';
      o.line(
        `Job ${o.c.bold(answer.job)} ${answer.changed ? 'paused' : 'was paused already'}: ${how} until \`npx longshore jobs resume ${answer.job}${g.stage && !g.local ? ` --stage ${g.stage}` : ''}\``,
      );
      scheduleLines(o, answer, 'disabled');
    });
  jobs
    .command('resume')
    .description('resume a paused job: its PAUSED runs are released, oldest first, and its schedules enabled again')
    .argument('<job>')
    .action(async (job: string, _opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      checkJobName('job', job);
      const { answer, flowRuns } = await sendPause(g, { action: 'resume', job });
      if (o.json) return o.document(answer);
      const released = answer.released ?? [];
      o.line(
        `Job ${o.c.bold(answer.job)} ${answer.changed ? 'resumed' : 'was not paused'}: ${
          released.length === 0
            ? 'no paused runs to release'
            : `${released.length} paused run${released.length === 1 ? '' : 's'} released, oldest first`
        }`,
      );
      for (const runId of released) o.line(`  ${runId}`);
      if (released.length > 0 && !flowRuns)
        o.line(o.c.dim('  no local flow is running: they launch when it starts (npm start)'));
      if (answer.more)
        o.line(o.c.yellow('  more paused runs wait: resume again to release them (the sweeper also does)'));
      scheduleLines(o, answer, 'enabled');
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
