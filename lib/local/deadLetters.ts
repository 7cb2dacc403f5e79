/**
 * The local flow's dead-letter queues, as files of the state folder (`dead-letters/launch.json`,
 * `dead-letters/events.json`), so the CLI reads them whether the flow runs or not:
 *
 * - launch: a launch message the launcher failed on each of its receives (the local queue's
 *   maxReceives, 10, as the stack's RedrivePolicy);
 * - events: an asynchronously invoked handler that failed, as Lambda's on-failure destination
 *   records it (the invocation record: requestContext, requestPayload, responsePayload). Deployed,
 *   Lambda retries twice first; the flow does not retry a handler, so one failure lands here.
 *
 * A redrive delivers each message again (a launch message to the launcher, as the launch queue
 * would; an event to its function) and removes the ones that were delivered.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeadLetterQueue, RawDeadLetter } from '../domain/deadLetter.ts';
import { describeDeadLetter } from '../domain/deadLetter.ts';
import { functionName } from '../domain/names.ts';
import type { DeadLetterQueuesPort, RedriveReport } from '../ports.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_STAGE } from './environment.ts';
import { sqsBatch } from './eventFactory.ts';
import { FUNCTION_KEYS, type FunctionKey } from './functionKeys.ts';

/** The functions Lambda invokes asynchronously (their configs say `async: true`): their failures are dead-lettered. */
export const ASYNC_FUNCTIONS: readonly FunctionKey[] = [
  'onUpload',
  'onSchedule',
  'onTaskStateChange',
  'sweeper',
  'alert',
  'onRunFinished',
  'onEvent',
];

export const deadLetterFile = (stateDir: string, queue: DeadLetterQueue): string =>
  join(stateDir, 'dead-letters', `${queue}.json`);

export const readDeadLetters = (stateDir: string, queue: DeadLetterQueue): RawDeadLetter[] => {
  const file = deadLetterFile(stateDir, queue);
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, 'utf8')) as RawDeadLetter[];
};

/** Written whole to a temporary file, then renamed: a reader never sees half a file. */
const writeDeadLetters = (stateDir: string, queue: DeadLetterQueue, messages: RawDeadLetter[]): void => {
  const file = deadLetterFile(stateDir, queue);
  mkdirSync(join(stateDir, 'dead-letters'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(messages, null, 2));
  renameSync(tmp, file);
};

export const addDeadLetter = (stateDir: string, queue: DeadLetterQueue, message: RawDeadLetter): void =>
  writeDeadLetters(stateDir, queue, [...readDeadLetters(stateDir, queue), message]);

/** Lambda's invocation record of a failed asynchronous invocation, as its on-failure destination gets it. */
export const invocationRecord = (fn: FunctionKey, event: unknown, error: Error, at: Date): RawDeadLetter => ({
  messageId: randomUUID(),
  sentAt: at.toISOString(),
  body: JSON.stringify({
    version: '1.0',
    timestamp: at.toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName(LOCAL_STAGE, fn)}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 1,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: error.name, errorMessage: error.message },
  }),
});

/** What a local redrive needs of the flow: to run a handler on an event, as Lambda would. */
export type LocalInvoke = (
  fn: FunctionKey,
  event: unknown,
) => Promise<{ ok: boolean; result?: unknown; error?: { message: string } }>;

const functionKeyOf = (target: string): FunctionKey | undefined => {
  const name = target.split(':').at(target.startsWith('arn:') ? 6 : 0) ?? '';
  return FUNCTION_KEYS.find((k) => functionName(LOCAL_STAGE, k) === name);
};

/** The local dead-letter queues of `stateDir`, redriven through `invoke` (the flow's handlers). */
export const localDeadLetters = (stateDir: string, invoke: LocalInvoke): DeadLetterQueuesPort => ({
  list: async (queue, limit) => readDeadLetters(stateDir, queue).slice(0, limit),
  // The local queue has no move tasks: a redrive of a whole queue delivers each message.
  moveTasks: async () => [],
  redrive: async (queue, ids) => {
    const all = readDeadLetters(stateDir, queue);
    const chosen = ids === 'all' ? all : all.filter((m) => ids.includes(m.messageId));
    const report: RedriveReport = {
      queue,
      redriven: [],
      notFound: ids === 'all' ? [] : ids.filter((id) => !all.some((m) => m.messageId === id)),
      failed: [],
    };
    for (const m of chosen) {
      const letter = describeDeadLetter(queue, m);
      const fn = queue === 'launch' ? 'launcher' : letter.target ? functionKeyOf(letter.target) : undefined;
      if (!fn) {
        report.failed.push({ id: m.messageId, error: `it names no function of the local flow (${letter.kind})` });
        continue;
      }
      const out = await invoke(
        fn,
        queue === 'launch' ? sqsBatch([{ messageId: m.messageId, body: m.body }]) : letter.payload,
      );
      // An event is handed to its function as Lambda's asynchronous Invoke takes it: delivered,
      // whatever the handler then does (a handler that fails again is dead-lettered again by the
      // flow, as a new message, as Lambda's on-failure destination would). A launch message the
      // launcher fails again stays here (deployed, it would come back after its receives).
      const batchFailed =
        queue === 'launch' &&
        (!out.ok ||
          ((out.result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length ?? 0) > 0);
      if (queue === 'events' || !batchFailed) report.redriven.push(m.messageId);
      else
        report.failed.push({
          id: m.messageId,
          error: out.error?.message ?? 'the launcher failed it again (it stays in the dead-letter queue)',
        });
    }
    // Removed after delivery, from the file as it is now (the flow may have added messages meanwhile).
    const done = new Set(report.redriven);
    if (done.size > 0)
      writeDeadLetters(
        stateDir,
        queue,
        readDeadLetters(stateDir, queue).filter((m) => !done.has(m.messageId)),
      );
    return report;
  },
});
