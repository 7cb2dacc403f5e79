/**
 * A job's result (`result: { lastLogLine: true }`) over a real local DynamoDB engine: read from the
 * main container's log stream when the attempt settles SUCCEEDED, recorded on the run, carried in
 * Run Succeeded and to the runs after it; a log that cannot be read never fails the settle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAfterRun } from '../../lib/acceptAfterRun.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import { parseTaskStateChange } from '../../lib/contracts/ecs.ts';
import { parseFinishedRunEvent } from '../../lib/contracts/runEvents.ts';
import { parseTaskArn } from '../../lib/domain/logLink.ts';
import { RESULT_SCAN_LINES } from '../../lib/domain/runResult.ts';
import { launchOne } from '../../lib/launch.ts';
import type { LogStreamRef, RunStore, TaskLogsPort } from '../../lib/ports.ts';
import { trackTaskEvent } from '../../lib/trackTask.ts';
import { exampleCatalog } from '../helpers/catalogs.ts';
import { taskEvent } from '../helpers/events.ts';
import { buildDeps } from '../helpers/fakes.ts';
import { launchManualRun } from '../helpers/launched.ts';
import { localStore } from '../helpers/localTable.ts';

// jobs.ts: csv-ingest declares result: { lastLogLine: true }; ingest-summary runs after it.
const catalog: Catalog = exampleCatalog();
let store: RunStore;
let close: () => void;
let seq = 0;

beforeAll(async () => {
  ({ store, close } = await localStore());
});
afterAll(() => close());

/** A logs port that answers `lines` (or throws `error`) and records what it was asked. */
const fakeLogs = (lines: string[], error?: Error) => {
  const reads: { ref: LogStreamRef; opts: Parameters<TaskLogsPort['read']>[1] }[] = [];
  const logs: TaskLogsPort = {
    read: async (ref, opts) => {
      reads.push({ ref, opts });
      if (error) throw error;
      return { lines: lines.map((message) => ({ message })) };
    },
  };
  return { logs, reads };
};

/** A csv-ingest run launched and stopped with `event`, its tracker reading logs from `logs`. */
const settled = async (logs: TaskLogsPort | undefined, event = 'ecs-task-stopped-success', job = 'csv-ingest') => {
  const ctx = buildDeps(store, catalog);
  const core = { ...ctx.core, ...(logs ? { logs } : {}) };
  const { runId, taskArn } = await launchManualRun(ctx, catalog, job, `result-${++seq}`);
  const out = await trackTaskEvent(core, parseTaskStateChange(taskEvent(event, { runId, attempt: 1, taskArn })));
  return { ctx, core, runId, taskArn, out, run: await store.getRun(runId) };
};

describe('Run results: read when the run succeeds', () => {
  it("records the main container's last JSON line on the run and carries its value in Run Succeeded", async () => {
    // Prepare
    const { logs, reads } = fakeLogs(['loading', '{"rows":1200,"table":"raw.globex"}', 'bye']);

    // Act
    const { ctx, run, taskArn } = await settled(logs);

    // Assess
    expect(run).toMatchObject({ status: 'SUCCEEDED', result: '{"rows":1200,"table":"raw.globex"}' });
    expect(run?.resultError).toBeUndefined();
    expect(reads).toEqual([
      {
        ref: { group: '/longshore/test/csv-ingest', stream: `longshore/main/${parseTaskArn(taskArn)?.taskId}` },
        opts: { tail: RESULT_SCAN_LINES },
      },
    ]);
    const succeeded = ctx.events.published.find((e) => e.type === 'Run Succeeded');
    expect(succeeded?.detail).toMatchObject({ result: { rows: 1200, table: 'raw.globex' } });
  });

  it('succeeds all the same when the log cannot be read, saying why in resultError', async () => {
    // Prepare
    const denied = Object.assign(new Error('not authorized to perform: logs:GetLogEvents'), {
      name: 'AccessDeniedException',
    });
    const { logs } = fakeLogs([], denied);

    // Act
    const { ctx, run, out } = await settled(logs);

    // Assess
    expect(out.outcome).toBe('settled');
    expect(run?.status).toBe('SUCCEEDED');
    expect(run?.result).toBeUndefined();
    expect(run?.resultError).toBe(
      "the main container's log could not be read (AccessDeniedException: not authorized to perform: logs:GetLogEvents)",
    );
    expect(ctx.events.published.find((e) => e.type === 'Run Succeeded')?.detail).toMatchObject({
      resultError: run?.resultError,
    });
    expect(ctx.metrics.recorded.filter((m) => m.name === 'RunsSucceeded')).toHaveLength(1);
  });

  it('records no JSON line as resultError, and reads nothing for a run that fails or a job without a result', async () => {
    // Prepare
    const plain = fakeLogs(['done, no JSON here']);
    const failing = fakeLogs(['{"rows":1}']);
    const other = fakeLogs(['{"rows":1}']);

    // Act
    const none = await settled(plain.logs);
    const failed = await settled(failing.logs, 'ecs-task-stopped-app-failure');
    const thumbs = await settled(other.logs, 'ecs-task-stopped-success', 'thumbnails');

    // Assess
    expect(none.run).toMatchObject({
      status: 'SUCCEEDED',
      resultError: "no JSON object or array among the main container's last 1 log lines",
    });
    expect(failed.run?.status).not.toBe('SUCCEEDED');
    expect(failing.reads).toEqual([]);
    expect(thumbs.run?.status).toBe('SUCCEEDED');
    expect(other.reads).toEqual([]);
    expect(thumbs.run?.result).toBeUndefined();
  });

  it('is read once: a redelivered STOPPED event finds the run final and publishes the recorded result', async () => {
    // Prepare
    const { logs, reads } = fakeLogs(['{"rows":7}']);
    const { core, runId, taskArn } = await settled(logs);

    // Act
    await trackTaskEvent(
      core,
      parseTaskStateChange(taskEvent('ecs-task-stopped-success', { runId, attempt: 1, taskArn })),
    );

    // Assess
    expect(reads).toHaveLength(1);
    expect((await store.getRun(runId))?.result).toBe('{"rows":7}');
  });
});

describe('Run results: the runs after it', () => {
  const finishedWith = async (lines: string[]) => {
    const { ctx, run } = await settled(fakeLogs(lines).logs);
    const event = ctx.events.published.find((e) => e.type === 'Run Succeeded');
    const delivered = { version: '0', source: 'longshore', 'detail-type': 'Run Succeeded', detail: event?.detail };
    ctx.queue.take();
    await acceptAfterRun(ctx.core, parseFinishedRunEvent(delivered));
    for (const m of ctx.queue.take()) await launchOne(ctx.launch, { v: 1, runId: m.runId, attempt: m.attempt });
    const call = ctx.ecs.calls.find((c) => c.startedBy.includes('ingest-summary'));
    const env = call?.overrides.containerOverrides[0]?.environment ?? [];
    return { run, env: Object.fromEntries(env.map((p) => [p.name, p.value])) };
  };

  it('passes the upstream result to the downstream task as LONGSHORE_UPSTREAM_RESULT', async () => {
    // Act
    const { run, env } = await finishedWith(['{"rows":42}']);

    // Assess
    expect(env.LONGSHORE_UPSTREAM_RUN_ID).toBe(run?.runId);
    expect(env.LONGSHORE_UPSTREAM_RESULT).toBe('{"rows":42}');
    expect(env.LONGSHORE_UPSTREAM_RESULT_OMITTED).toBeUndefined();
  });

  it("says the result is omitted when it would not fit RunTask's 8,192-character overrides", async () => {
    // Prepare: a 4 KB result of escaped quotes, each two characters doubling in the overrides' JSON.
    const big = `["${'\\"'.repeat(2040)}"]`;

    // Act
    const { run, env } = await finishedWith([big]);

    // Assess
    expect(run?.result).toBe(big);
    expect(env.LONGSHORE_UPSTREAM_RESULT).toBeUndefined();
    expect(env.LONGSHORE_UPSTREAM_RESULT_OMITTED).toBe('true');
    expect(env.LONGSHORE_UPSTREAM_RUN_ID).toBe(run?.runId);
  });
});
