/**
 * The local flow on the terminal (`longshore up`): one line per thing that happened to a run, as it
 * happens (from what the flow's recorder saw), and the demo's summary table.
 */
import { formatDuration } from '../domain/duration.ts';
import { formatCpu, formatMemory } from '../domain/fargateSizes.ts';
import { MAIN_CONTAINER_NAME } from '../domain/names.ts';
import type { Attempt, Run } from '../domain/run.ts';
import { type RunEventDetail, triggerSummary } from '../domain/runEvents.ts';
import type { PublishedEvent, Recorder, SentAlert } from '../local/Recorder.ts';
import type { Output } from './Output.ts';

const time = () => new Date().toISOString().slice(11, 19);

/**
 * The live log of the local flow. `delayScale` is the flow's (LONGSHORE_LOCAL_DELAY_SCALE): a retry
 * the policy delays by 54 s starts here after 54 s times it, and the line says so.
 */
export const attachFlowLog = (recorder: Recorder, out: Output, opts: { delayScale?: number } = {}): void => {
  const scale = opts.delayScale ?? 1;
  const localWait = (seconds: unknown): string =>
    typeof seconds === 'number' && seconds > 0 && scale !== 1
      ? out.c.dim(
          ` (here in ${seconds * scale < 10 ? `${(seconds * scale).toFixed(1)}s` : formatDuration(seconds * scale)}: local delays are scaled by ${scale})`,
        )
      : '';
  const line = (runId: string, attempt: number | string, state: string, detail = '') => {
    out.line(`${out.c.dim(time())}  ${runId.padEnd(31)} ${`#${attempt}`.padEnd(3)} ${out.status(state, 10)} ${detail}`);
  };
  recorder.on((kind, value) => {
    if (kind === 'alert') {
      const a = value as SentAlert;
      out.line(`${out.c.dim(time())}  ${out.c.red('ALERT')}  ${a.subject}`);
      for (const l of a.message.split('\n').slice(2)) out.line(`          ${out.c.dim('|')} ${l}`);
      return;
    }
    if (kind !== 'event') return;
    const e = value as PublishedEvent;
    const d = e.detail as Record<string, unknown> & {
      decision?: RunEventDetail['decision'];
    };
    const runId = String(d.runId ?? '');
    switch (e.detailType) {
      case 'ECS Task State Change': {
        const ref = /\/([a-z0-9-]+)\/(\d+)$/.exec(String(d.startedBy ?? ''));
        if (!ref) return;
        if (d.lastStatus === 'RUNNING' && d.desiredStatus === 'STOPPED')
          line(
            ref[1] as string,
            ref[2] as string,
            'NOTICE',
            `${d.stopCode}: ${d.stoppedReason} (stops within 2 minutes)`,
          );
        else if (d.lastStatus === 'RUNNING')
          line(ref[1] as string, ref[2] as string, 'RUNNING', out.c.dim(String(d.taskArn).split('/').pop() ?? ''));
        else {
          const main = (d.containers as { name: string; exitCode?: number }[] | undefined)?.find(
            (c) => c.name === MAIN_CONTAINER_NAME,
          );
          line(
            ref[1] as string,
            ref[2] as string,
            'STOPPED',
            `${main?.exitCode !== undefined ? `exit ${main.exitCode}` : 'no exit code'}, ${d.stopCode}`,
          );
        }
        return;
      }
      case 'Run Started':
        line(
          runId,
          String(d.attempt),
          'STARTING',
          `${d.capacity}, ${formatCpu(Number(d.cpu))}, ${formatMemory(Number(d.memory))}  ${out.c.dim(String(d.triggerSummary ?? ''))}`,
        );
        return;
      case 'Run Retrying':
        line(
          runId,
          String(Number(d.attempt) - 1),
          'RETRYING',
          `${d.decision?.action} [${d.decision?.rule}] ${d.decision?.diagnosis}; ${d.decision?.next}${localWait(d.decision?.delaySeconds)}`,
        );
        return;
      case 'Run Succeeded':
        line(
          runId,
          String(d.attempt),
          'SUCCEEDED',
          d.decision?.action === 'ignore'
            ? `[${d.decision.rule}] ${d.decision.diagnosis}`
            : `in ${d.durationSeconds ?? 0}s`,
        );
        return;
      case 'Run Failed':
      case 'Run Timed Out':
        line(
          runId,
          String(d.attempt),
          e.detailType === 'Run Failed' ? 'FAILED' : 'TIMED_OUT',
          `[${d.decision?.rule ?? '?'}] ${d.decision?.diagnosis ?? d.reason ?? ''}`,
        );
        return;
      case 'Run Cancelled':
      case 'Run Skipped':
        line(
          runId,
          String(d.attempt),
          e.detailType === 'Run Cancelled' ? 'CANCELLED' : 'SKIPPED',
          String(d.reason ?? ''),
        );
        return;
      case 'Schedule Missed':
        out.line(`${out.c.dim(time())}  ${out.c.red('MISSED')} ${d.job} tick of ${d.scheduledTime}`);
        return;
    }
  });
};

/** The summary table: each run, its attempts and the decisions between them. */
export const printRunSummary = (out: Output, runs: { run: Run; attempts: Attempt[] }[]): void => {
  out.table(
    ['job', 'run', 'trigger', 'status', 'attempts: exit, decision'],
    runs.map(({ run, attempts }) => [
      run.job,
      run.runId,
      triggerSummary(run.trigger).slice(0, 60),
      out.status(run.status),
      attempts
        .map((a) => {
          const main = a.containers?.find((c) => c.name === MAIN_CONTAINER_NAME);
          const exit = main?.exitCode !== undefined ? `exit ${main.exitCode}` : (a.stopCode ?? a.status);
          return `#${a.attempt} ${a.capacityProvider} ${a.memory / 1024 >= 1 ? `${a.memory / 1024}GB` : `${a.memory}MB`}: ${exit} -> ${a.decision ? `${a.decision.action} [${a.decision.rule}]` : a.status}${a.durationSeconds !== undefined ? ` (${formatDuration(a.durationSeconds)})` : ''}`;
        })
        .join(out.opts.tty ? '\n' : '; '),
    ]),
  );
};
