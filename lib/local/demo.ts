/**
 * The demo scenario `npm start` plays on the local flow: three uploads and a schedule tick, each
 * showing one part of the failure policy, then a summary of what happened.
 *  1. an image upload: thumbnails runs its local command and succeeds;
 *  2. a CSV upload whose first attempt is killed for memory: retried at once with 4 GB, succeeds;
 *  3. a CSV upload whose Spot task is interrupted: retried on on-demand Fargate, succeeds;
 *  4. the nightly report's tick, whose image cannot be pulled: fails at once and alerts.
 */
import type { Output } from '../cli/output.ts';
import { formatDuration } from '../domain/duration.ts';
import type { Attempt, Run } from '../domain/run.ts';
import { triggerSummary } from '../domain/runEvents.ts';
import type { ScriptEntry } from './outcomeScript.ts';
import type { LocalRuntime } from './runtime.ts';

export interface DemoPlan {
  stamp: string;
  tick: Date;
  script: ScriptEntry[];
}

/** Names unique to this play, so the demo can run again on the same state directory. */
export const demoPlan = (now: Date): DemoPlan => {
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15);
  // To the second, so that every play is a new tick (a tick's run id is schedule + time).
  const tick = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return {
    stamp,
    tick,
    script: [
      { job: 'csv-ingest', key: `globex-${stamp}`, attempts: [{ kind: 'oom' }] },
      { job: 'csv-ingest', key: `initech-${stamp}`, attempts: [{ kind: 'spot' }] },
      { job: 'nightly-report', env: { SCHEDULED_TIME: tick.toISOString() }, attempts: [{ kind: 'pull-failure' }] },
    ],
  };
};

const csv = (rows: number) =>
  [
    'id,account,amount',
    ...Array.from({ length: rows }, (_, i) => `${i + 1},ACME-${1000 + i},${(i * 7.31).toFixed(2)}`),
  ].join('\n');

export interface DemoResult {
  runs: { run: Run; attempts: Attempt[] }[];
  alerts: number;
  webhooks: number;
  seconds: number;
  idle: boolean;
}

export const playDemo = async (rt: LocalRuntime, plan: DemoPlan, out: Output): Promise<DemoResult> => {
  const started = Date.now();
  const say = (s: string) => {
    if (!out.json) out.line(out.c.bold(s));
  };
  const runIds: string[] = [];
  const collect = (o: { ok: boolean; result?: unknown; error?: { message: string } }) => {
    if (!o.ok) throw new Error(`demo step failed: ${o.error?.message}`);
    const r = o.result as { runs?: { runId: string }[]; runId?: string };
    runIds.push(...(r.runs?.map((x) => x.runId) ?? (r.runId ? [r.runId] : [])));
  };
  say(`1. upload s3://acme-media-uploads/uploads/demo-${plan.stamp}/cat on sofa.jpg (thumbnails: succeeds)`);
  collect(
    await rt.upload('acme-media-uploads', `uploads/demo-${plan.stamp}/cat on sofa.jpg`, `JPEG demo ${plan.stamp}`),
  );
  say(`2. upload s3://acme-partner-drop/incoming/globex-${plan.stamp}.csv (csv-ingest: out of memory, then bigger)`);
  collect(await rt.upload('acme-partner-drop', `incoming/globex-${plan.stamp}.csv`, csv(1200)));
  say(
    `3. upload s3://acme-partner-drop/incoming/initech-${plan.stamp}.csv (csv-ingest: Spot interruption, then on-demand)`,
  );
  collect(await rt.upload('acme-partner-drop', `incoming/initech-${plan.stamp}.csv`, csv(300)));
  say(`4. schedule tick of nightly-report at ${plan.tick.toISOString()} (image cannot be pulled: fails and alerts)`);
  collect(await rt.tick('nightly-report', 0, plan.tick));
  const idle = await rt.idle(90_000);
  const runs = (await Promise.all(runIds.map((id) => rt.store.getHistory(id)))).filter(
    (h): h is NonNullable<typeof h> => h !== undefined,
  );
  return {
    runs,
    alerts: rt.recorder.alerts.length,
    webhooks: rt.recorder.webhooks.length,
    seconds: (Date.now() - started) / 1000,
    idle,
  };
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
          const main = a.containers?.find((c) => c.name === 'main');
          const exit = main?.exitCode !== undefined ? `exit ${main.exitCode}` : (a.stopCode ?? a.status);
          return `#${a.attempt} ${a.capacityProvider} ${a.memory / 1024 >= 1 ? `${a.memory / 1024}GB` : `${a.memory}MB`}: ${exit} -> ${a.decision ? `${a.decision.action} [${a.decision.rule}]` : a.status}${a.durationSeconds !== undefined ? ` (${formatDuration(a.durationSeconds)})` : ''}`;
        })
        .join(out.opts.tty ? '\n' : '; '),
    ]),
  );
};
