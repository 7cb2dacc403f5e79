/**
 * `longshore dlq list | show ID | redrive [--all | ID...]`: the launch and events dead-letter
 * queues, each message read (lib/domain/deadLetter.ts) with its error and the run it concerns;
 * listing consumes nothing; a redrive sends messages back where they failed (deployed: SQS's
 * message move task for a whole launch DLQ, else each message sent or invoked again, then deleted;
 * locally: the flow's handlers).
 */
import type { Command } from 'commander';
import { type DeadLetter, type DeadLetterQueue, describeDeadLetter } from '../../domain/deadLetter.ts';
import { MAX_DEAD_LETTERS, type RedriveReport } from '../../ports.ts';
import { checkPositiveInteger } from '../arguments.ts';
import type { Backend } from '../backends.ts';
import { type CommandContext, withBackend } from '../commandContext.ts';
import { CliError, EXIT } from '../exitCodes.ts';
import type { Output } from '../Output.ts';

const QUEUES: readonly DeadLetterQueue[] = ['launch', 'events'];

const checkQueue = (value: string): DeadLetterQueue => {
  if ((QUEUES as readonly string[]).includes(value)) return value as DeadLetterQueue;
  throw new CliError(`--queue must be launch or events, not '${value}'`, EXIT.invalid);
};

/** A dead letter with the status of the run it names (read from the store), for people. */
type Shown = DeadLetter & { runStatus?: string };

const read = async (b: Backend, queues: readonly DeadLetterQueue[], limit: number): Promise<Shown[]> => {
  const out: Shown[] = [];
  for (const queue of queues)
    for (const raw of await b.deadLetters.list(queue, limit)) {
      const letter = describeDeadLetter(queue, raw);
      const run = letter.runId ? (await b.history(letter.runId))?.run : undefined;
      out.push({ ...letter, ...(run ? { runStatus: run.status } : {}) });
    }
  return out;
};

const runText = (o: Output, l: Shown): string =>
  l.runId ? `${l.runId}${l.attempt ? ` #${l.attempt}` : ''}${l.runStatus ? ` (${o.status(l.runStatus)})` : ''}` : '-';

const printReport = (o: Output, r: RedriveReport): void => {
  if (r.moveTask)
    o.line(
      `${r.queue}: message move task started (${r.moveTask.status}) back to the launch queue; follow it with: npx longshore dlq list --queue launch`,
    );
  if (r.redriven.length > 0) o.line(`${r.queue}: redriven ${r.redriven.length}: ${r.redriven.join(', ')}`);
  for (const f of r.failed) o.line(o.c.red(`${r.queue}: ${f.id} not redriven: ${f.error}`));
};

export const registerDlqCommands = (program: Command, ctx: CommandContext): void => {
  const dlq = program.command('dlq').description('the dead-letter queues: what failed, and sending it back');

  dlq
    .command('list')
    .description('the messages of the launch and events dead-letter queues (consumes nothing)')
    .option('--queue <queue>', 'only this queue: launch or events', checkQueue)
    .option('--limit <n>', `at most this many messages per queue (at most ${MAX_DEAD_LETTERS})`, (v) =>
      checkPositiveInteger('--limit', v),
    )
    .action(async (opts: { queue?: DeadLetterQueue; limit?: number }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      const limit = Math.min(opts.limit ?? 50, MAX_DEAD_LETTERS);
      const queues = opts.queue ? [opts.queue] : QUEUES;
      await withBackend(g, async (b) => {
        const letters = await read(b, queues, limit);
        const tasks = Object.fromEntries(
          await Promise.all(queues.map(async (q) => [q, await b.deadLetters.moveTasks(q)])),
        );
        if (o.json) {
          o.document({
            messages: letters.map(({ payload: _payload, ...l }) => l),
            moveTasks: tasks,
          });
          return;
        }
        for (const q of queues) {
          const running = (tasks[q] as { status: string; moved?: number; toMove?: number }[]).filter(
            (t) => t.status === 'RUNNING',
          );
          for (const t of running)
            o.line(`${q}: a message move task is running (${t.moved ?? 0} of ${t.toMove ?? '?'} moved)`);
        }
        if (letters.length === 0) {
          o.line(
            `No message in the ${queues.join(' or ')} dead-letter queue${queues.length > 1 ? 's' : ''} (${b.label}).`,
          );
          return;
        }
        o.table(
          ['queue', 'id', 'since', 'run', 'error'],
          letters.map((l) => [l.queue, l.id, l.sentAt ?? '-', runText(o, l), `${l.kind}: ${l.error}`]),
        );
        o.line(o.c.dim('Details: npx longshore dlq show ID; send back: npx longshore dlq redrive ID... (or --all)'));
      });
    });

  dlq
    .command('show')
    .description('one dead-letter message: its error, its run, and what a redrive would send')
    .argument('<id>', 'the message id (from dlq list)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      await withBackend(g, async (b) => {
        const letter = (await read(b, QUEUES, MAX_DEAD_LETTERS)).find((l) => l.id === id);
        if (!letter) throw new CliError(`No message ${id} in the dead-letter queues (${b.label})`, EXIT.notFound);
        if (o.json) {
          o.document(letter);
          return;
        }
        o.fields([
          ['Message', letter.id],
          ['Queue', `${letter.queue} dead-letter queue`],
          ['Kind', letter.kind],
          ['Since', letter.sentAt],
          ['Receives', letter.receiveCount !== undefined ? String(letter.receiveCount) : undefined],
          ['Error', letter.error],
          ['Run', letter.runId ? runText(o, letter) : undefined],
          [
            'Redrive to',
            letter.queue === 'launch' ? 'the launch queue' : (letter.target ?? 'nowhere (no function named)'),
          ],
        ]);
        o.line();
        o.line(o.c.dim('Payload:'));
        o.line(typeof letter.payload === 'string' ? letter.payload : JSON.stringify(letter.payload, null, 2));
      });
    });

  dlq
    .command('redrive')
    .description('send messages back where they failed: launch messages to the launch queue, events to their function')
    .argument('[ids...]', 'message ids (from dlq list)')
    .option('--all', 'every message (of --queue, or of both queues)')
    .option('--queue <queue>', 'with --all: only this queue (launch or events)', checkQueue)
    .action(async (ids: string[], opts: { all?: boolean; queue?: DeadLetterQueue }, cmd: Command) => {
      const g = ctx.globals(cmd);
      const o = ctx.out(cmd);
      if (opts.all && ids.length > 0) throw new CliError('give message ids or --all, not both', EXIT.invalid);
      if (!opts.all && ids.length === 0) throw new CliError('give message ids (from dlq list), or --all', EXIT.invalid);
      await withBackend(g, async (b) => {
        const reports: RedriveReport[] = [];
        let notFound: string[] = [];
        if (opts.all) {
          for (const q of opts.queue ? [opts.queue] : QUEUES) reports.push(await b.deadLetters.redrive(q, 'all'));
        } else {
          // Which queue holds each id: the listing says (an id is SQS's MessageId, unique to its queue).
          const where = new Map<string, DeadLetterQueue>();
          for (const q of opts.queue ? [opts.queue] : QUEUES)
            for (const m of await b.deadLetters.list(q, MAX_DEAD_LETTERS)) where.set(m.messageId, q);
          notFound = ids.filter((id) => !where.has(id));
          for (const q of QUEUES) {
            const mine = ids.filter((id) => where.get(id) === q);
            if (mine.length > 0) reports.push(await b.deadLetters.redrive(q, mine));
          }
        }
        notFound = [...notFound, ...reports.flatMap((r) => r.notFound)];
        const failed = reports.some((r) => r.failed.length > 0);
        if (o.json) o.document({ reports, notFound });
        else {
          for (const r of reports) printReport(o, r);
          if (notFound.length > 0) o.line(o.c.red(`Not in the dead-letter queues: ${notFound.join(', ')}`));
          if (
            reports.every((r) => !r.moveTask && r.redriven.length === 0 && r.failed.length === 0) &&
            notFound.length === 0
          )
            o.line('Nothing to redrive: the dead-letter queues are empty.');
        }
        if (notFound.length > 0) ctx.setExit(EXIT.notFound);
        if (failed) ctx.setExit(EXIT.rejected);
      });
    });
};
