/**
 * `dlq` and `backfill` on the local flow, as a person runs them (the CLI in its own process, over
 * the flow's port): an async handler that fails lands in the events dead-letter queue with its
 * error; `dlq list` shows it without consuming it; `dlq redrive` hands it back to its function;
 * `backfill --dry-run` names the run ids the local schedule's own ticks get.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIdFor } from '../../lib/domain/runId.ts';
import { readDeadLetters } from '../../lib/local/deadLetters.ts';
import { scheduleTick } from '../../lib/local/eventFactory.ts';
import { serveFlow } from '../../lib/local/flowServer.ts';
import { LocalRuntime } from '../../lib/local/LocalRuntime.ts';
import { runCli } from '../helpers/cliProcess.ts';

const REPO = join(import.meta.dirname, '..', '..');
const state = mkdtempSync(join(tmpdir(), 'longshore-dlq-'));
let rt: LocalRuntime;
let stop: () => Promise<void>;

beforeAll(async () => {
  rt = await LocalRuntime.start({ mode: 'flow', stateDir: state, persistent: false });
  stop = await serveFlow(rt);
});
afterAll(async () => {
  await stop();
  await rt.stop();
  await LocalRuntime.shutdownEngine();
});

describe('CLI: dlq on the local flow', () => {
  it('lists a failed async invocation with its error, keeps it on listing, and redrives it to its function', async () => {
    // Prepare: a tick of a schedule no job of the catalog has: onSchedule rejects it.
    const tick = { ...scheduleTick('nightly-report', 0, new Date('2026-11-22T01:00:00Z')), job: 'payroll' };
    const failed = await rt.invoke('onSchedule', tick);

    // Act
    const listed = await runCli(REPO, ['--state', state, '--json', 'dlq', 'list']);
    const again = await runCli(REPO, ['--state', state, 'dlq', 'list', '--queue', 'events']);
    const id = (JSON.parse(listed.out) as { messages: { id: string }[] }).messages[0]?.id as string;
    const shown = await runCli(REPO, ['--state', state, 'dlq', 'show', id]);
    const redriven = await runCli(REPO, ['--state', state, '--json', 'dlq', 'redrive', id]);

    // Assess
    expect(failed.ok).toBe(false);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toEqual({
      messages: [
        {
          id: expect.any(String),
          queue: 'events',
          kind: 'function-failure',
          sentAt: expect.any(String),
          error: expect.stringContaining("UnknownJobError: Unknown job 'payroll'"),
          target: 'arn:aws:lambda:eu-west-1:123456789012:function:longshore-dev-onSchedule',
        },
      ],
      moveTasks: { launch: [], events: [] },
    });
    expect(again.out).toContain(id);
    expect(shown.out).toContain('"job": "payroll"');
    expect(JSON.parse(redriven.out)).toMatchObject({
      reports: [{ queue: 'events', redriven: [id], failed: [] }],
      notFound: [],
    });
    // Handed back: the original is gone; the handler failed again, so the flow dead-lettered it anew.
    const now = readDeadLetters(state, 'events');
    expect(now.map((m) => m.messageId)).not.toContain(id);
    expect(now).toHaveLength(1);
  });

  it('refuses a redrive without ids or --all, and says which ids it did not find', async () => {
    // Act
    const none = await runCli(REPO, ['--state', state, 'dlq', 'redrive']);
    const missing = await runCli(REPO, ['--state', state, 'dlq', 'redrive', 'no-such-id']);

    // Assess
    expect([none.code, none.err.trim()]).toEqual([2, 'longshore: give message ids (from dlq list), or --all']);
    expect(missing.code).toBe(3);
    expect(missing.out).toContain('Not in the dead-letter queues: no-such-id');
  });
});

describe('CLI: backfill on the local flow', () => {
  it("lists the window's ticks with the run ids the schedule's own ticks get, and creates nothing on a dry run", async () => {
    // Prepare: the three days before yesterday (nightly-report ticks at 02:00 Paris).
    const day = 86_400_000;
    const today = Math.floor(Date.now() / day) * day;
    const from = new Date(today - 4 * day).toISOString();
    const to = new Date(today - day).toISOString();

    // Act
    const dry = await runCli(REPO, [
      '--state',
      state,
      '--json',
      'backfill',
      'nightly-report',
      '--from',
      from,
      '--to',
      to,
      '--dry-run',
    ]);
    const bad = await runCli(REPO, ['--state', state, 'backfill', 'nightly-report', '--from', to, '--to', from]);

    // Assess
    const answer = JSON.parse(dry.out) as {
      dryRun: boolean;
      ticks: { scheduledTime: string; runId: string; status?: string }[];
    };
    expect(answer.dryRun).toBe(true);
    expect(answer.ticks).toHaveLength(3);
    for (const t of answer.ticks) {
      const real = scheduleTick('nightly-report', 0, new Date(t.scheduledTime));
      expect(t.runId).toBe(
        runIdFor('nightly-report', {
          type: 'schedule',
          schedule: real.scheduleArn as string,
          scheduledTime: t.scheduledTime,
        }),
      );
      expect(t.status).toBeUndefined();
      expect(await rt.store.getRun(t.runId)).toBeUndefined();
    }
    expect(bad.code).toBe(4);
    expect(bad.err).toContain('must be before --to');
  });
});
