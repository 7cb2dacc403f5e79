/**
 * The local flow's dead-letter queues (lib/local/deadLetters.ts, lib/local/LocalQueue.ts): the
 * functions whose failures are dead-lettered are the stack's async ones; a launch message that
 * failed its receives lands in the launch file; a redrive delivers each message again and removes
 * the delivered ones (a launch the launcher fails again stays; an event is handed over).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { functions } from '../../../../functions/index.ts';
import { PROTECTED_STAGES } from '../../../../lib/infra/context.ts';
import { buildService } from '../../../../lib/infra/service.ts';
import {
  ASYNC_FUNCTIONS,
  addDeadLetter,
  invocationRecord,
  localDeadLetters,
  readDeadLetters,
} from '../../../../lib/local/deadLetters.ts';
import { LocalQueue } from '../../../../lib/local/LocalQueue.ts';
import { exampleCatalog } from '../../../helpers/catalogs.ts';

const RUN = 'csv-ingest-abcdefghijklmnopqrst';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'longshore-dlq-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Local dead-letter queues', () => {
  it('dead-letters the failures of exactly the functions the stack gives an on-failure destination', () => {
    // Act
    const { config } = buildService(
      { stage: 'dev', catalog: exampleCatalog(), protectedStages: PROTECTED_STAGES },
      functions,
    );

    // Assess
    const withDestination = Object.entries(config.functions ?? {})
      .filter(([, f]) => (f as { destinations?: unknown }).destinations)
      .map(([k]) => k);
    expect([...ASYNC_FUNCTIONS].sort()).toEqual(withDestination.sort());
  });

  it('hands a message that failed its receives to the dead-letter callback, once', async () => {
    // Prepare
    const dead: string[] = [];
    const queue = new LocalQueue({ visibilityMs: 0, maxReceives: 3, onDeadLetter: (m) => dead.push(m.body) });
    let deliveries = 0;
    queue.consume(async (records) => {
      deliveries++;
      return { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
    });

    // Act
    queue.sendBatch([{ Id: '0', MessageBody: JSON.stringify({ v: 1, runId: RUN, attempt: 1 }) }]);
    for (let i = 0; i < 200 && dead.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    queue.stop();

    // Assess
    expect(deliveries).toBe(3);
    expect(dead).toEqual([JSON.stringify({ v: 1, runId: RUN, attempt: 1 })]);
    expect(queue.pending()).toBe(0);
  });

  it('redrives a launch message to the launcher and keeps it when the launcher fails it again', async () => {
    // Prepare
    addDeadLetter(dir, 'launch', { messageId: 'ok', body: JSON.stringify({ v: 1, runId: RUN, attempt: 1 }) });
    addDeadLetter(dir, 'launch', { messageId: 'again', body: JSON.stringify({ v: 1, runId: RUN, attempt: 2 }) });
    const calls: { fn: string; event: unknown }[] = [];
    const dlq = localDeadLetters(dir, async (fn, event) => {
      calls.push({ fn, event });
      const id = (event as { Records: { messageId: string }[] }).Records[0]?.messageId;
      return { ok: true, result: { batchItemFailures: id === 'again' ? [{ itemIdentifier: id }] : [] } };
    });

    // Act
    const report = await dlq.redrive('launch', 'all');

    // Assess
    expect(calls.map((c) => c.fn)).toEqual(['launcher', 'launcher']);
    expect(report.redriven).toEqual(['ok']);
    expect(report.failed.map((f) => f.id)).toEqual(['again']);
    expect(readDeadLetters(dir, 'launch').map((m) => m.messageId)).toEqual(['again']);
  });

  it('redrives an event to the function of its invocation record, with the original event', async () => {
    // Prepare
    const event = { longshore: 'schedule', job: 'nightly-report', trigger: 0 };
    const record = invocationRecord('onSchedule', event, new Error('boom'), new Date('2026-11-22T09:00:00Z'));
    addDeadLetter(dir, 'events', record);
    const calls: { fn: string; event: unknown }[] = [];
    const dlq = localDeadLetters(dir, async (fn, e) => {
      calls.push({ fn, event: e });
      return { ok: true };
    });

    // Act
    const listed = await dlq.list('events', 10);
    const report = await dlq.redrive('events', [record.messageId, 'missing']);

    // Assess
    expect(listed).toEqual([record]);
    expect(calls).toEqual([{ fn: 'onSchedule', event }]);
    expect(report).toMatchObject({ redriven: [record.messageId], notFound: ['missing'], failed: [] });
    expect(readDeadLetters(dir, 'events')).toEqual([]);
  });
});
