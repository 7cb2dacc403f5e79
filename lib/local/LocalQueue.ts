/**
 * The launch queue, locally: SendMessageBatch stores messages with their delay; a pump delivers due
 * ones to the launcher in batches of 10, as the SQS event source mapping would, and redelivers the
 * ones the launcher reports as failed after a (short) visibility timeout, up to 10 receives, then
 * hands them to its dead-letter queue.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface QueuedMessage {
  messageId: string;
  body: string;
  dueAt: number;
  receives: number;
  /** Delivered this much earlier than its DelaySeconds said (the delay scale). */
  earlyMs?: number;
}

export type Deliver = (
  records: { messageId: string; body: string; earlyMs?: number }[],
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export class LocalQueue {
  readonly messages: QueuedMessage[] = [];
  readonly deadLetters: QueuedMessage[] = [];
  private timer?: NodeJS.Timeout;
  private pumping = false;
  private deliver?: Deliver;

  constructor(
    private readonly opts: {
      visibilityMs: number;
      maxReceives: number;
      persistFile?: string;
      delayScale?: number;
      /** A message that failed `maxReceives` receives: the queue's dead-letter queue takes it (lib/local/deadLetters.ts). */
      onDeadLetter?: (m: QueuedMessage) => void;
    },
  ) {
    if (opts.persistFile && existsSync(opts.persistFile)) {
      const saved = JSON.parse(readFileSync(opts.persistFile, 'utf8')) as QueuedMessage[];
      this.messages.push(...saved.map((m) => ({ ...m, dueAt: Date.now() })));
    }
  }

  /** SendMessageBatch, as SQS answers it. */
  sendBatch(entries: { Id?: string; MessageBody?: string; DelaySeconds?: number }[]): {
    Successful: { Id: string; MessageId: string }[];
    Failed: [];
  } {
    const now = Date.now();
    const ok = entries.map((e) => {
      const messageId = randomUUID();
      const delayMs = (e.DelaySeconds ?? 0) * 1000;
      const scaledMs = delayMs * (this.opts.delayScale ?? 1);
      this.messages.push({
        messageId,
        body: e.MessageBody ?? '',
        dueAt: now + scaledMs,
        receives: 0,
        ...(delayMs > scaledMs ? { earlyMs: delayMs - scaledMs } : {}),
      });
      return { Id: e.Id ?? messageId, MessageId: messageId };
    });
    this.schedule(0);
    return { Successful: ok, Failed: [] };
  }

  /** Starts delivering to `deliver` (the launcher handler). */
  consume(deliver: Deliver): void {
    this.deliver = deliver;
    this.schedule(0);
  }

  pending(): number {
    return this.messages.length;
  }

  /** Milliseconds until the next message is due, or undefined if none. */
  nextDueIn(): number | undefined {
    if (this.messages.length === 0) return undefined;
    return Math.max(0, Math.min(...this.messages.map((m) => m.dueAt)) - Date.now());
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.deliver = undefined;
    if (this.opts.persistFile) writeFileSync(this.opts.persistFile, JSON.stringify(this.messages));
  }

  private schedule(ms: number): void {
    if (!this.deliver) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), ms);
  }

  private async pump(): Promise<void> {
    if (this.pumping || !this.deliver) return;
    this.pumping = true;
    try {
      const now = Date.now();
      const due = this.messages.filter((m) => m.dueAt <= now).slice(0, 10);
      if (due.length > 0) {
        for (const m of due) this.messages.splice(this.messages.indexOf(m), 1);
        const { batchItemFailures } = await this.deliver(
          due.map((m) => ({ messageId: m.messageId, body: m.body, ...(m.earlyMs ? { earlyMs: m.earlyMs } : {}) })),
        );
        const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
        for (const m of due.filter((x) => failed.has(x.messageId))) {
          m.receives++;
          if (m.receives >= this.opts.maxReceives) {
            this.deadLetters.push(m);
            this.opts.onDeadLetter?.(m);
          } else {
            const { earlyMs: _early, ...again } = m;
            this.messages.push({ ...again, dueAt: Date.now() + this.opts.visibilityMs });
          }
        }
      }
    } finally {
      this.pumping = false;
    }
    const next = this.nextDueIn();
    if (next !== undefined) this.schedule(next);
  }
}
