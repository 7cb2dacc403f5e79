/**
 * The nine invariants of the issue, checked on the table (scanned, not through the store) and on the
 * world's truth (the tasks ECS really ran, the alerts really sent), after every step and at the end:
 *
 * 1. one run per unique trigger; 2. at most one task per attempt; 3. no state moved backwards and
 * no final state left; 4. `maxConcurrent` never exceeded (tasks really running); 5. every run
 * final at quiescence, with a reason; 6. attempts within the policy's budgets; 7. every final
 * failure alerted exactly once (one more per invocation that failed after sending: the window
 * docs/decisions.md states); 8. no slot leaked at quiescence; 9. every cancelled run's task stopped.
 *
 * And what the issue's "nothing lost, nothing duplicated, each fault in logs and metrics once" asks:
 * no invocation fails for a reason that is not an injected fault or crash, both dead-letter queues
 * are empty at the end, every fault that reached the code is in exactly one log line, and the
 * Faults metric counts each once.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { attemptFromItem } from '../../lib/aws/runStore/table.ts';
import type { Catalog, Job } from '../../lib/catalog/schema.ts';
import { followersOf, upstreamOf } from '../../lib/domain/afterMatch.ts';
import { DEFAULT_RULES } from '../../lib/domain/defaultRules.ts';
import { type Attempt, isFinal, type Run } from '../../lib/domain/run.ts';
import { identityOf, runIdFor } from '../../lib/domain/runId.ts';
import type { World } from './world.ts';

type Item = Record<string, unknown>;

export interface Snapshot {
  runs: Map<string, Run>;
  attempts: Map<string, Attempt[]>;
  slots: { job: string; slot: number; runId: string }[];
  alerts: { runId: string; what: string; status: string; sent: string[] }[];
  missed: { runId: string; scheduledTime: string; job: string }[];
}

// PAUSED ranks with QUEUED: a paused job's launcher holds a queued run, a resume queues it again.
const RUN_RANK: Record<string, number> = { QUEUED: 0, PAUSED: 0, STARTING: 1, RUNNING: 2, CANCELLING: 3 };
const runRank = (s: string): number => RUN_RANK[s] ?? 4;
const ATTEMPT_RANK: Record<string, number> = { LAUNCHING: 0, STARTING: 1, RUNNING: 2, STOPPED: 3, LAUNCH_FAILED: 3 };
const RETRY_ACTIONS = new Set(['retry', 'retry-on-demand', 'retry-bigger']);

export const scanTable = async (doc: DynamoDBDocumentClient, table: string): Promise<Snapshot> => {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...((out.Items ?? []) as Item[]));
    start = out.LastEvaluatedKey;
  } while (start);
  const snap: Snapshot = { runs: new Map(), attempts: new Map(), slots: [], alerts: [], missed: [] };
  for (const i of items) {
    const sk = String(i.sk);
    if (sk === 'RUN') {
      const run = { ...(i as unknown as Run), published: [...((i.published as Iterable<string>) ?? [])].sort() };
      snap.runs.set(run.runId, run);
    } else if (sk.startsWith('ATTEMPT#')) {
      const a = attemptFromItem(i);
      snap.attempts.set(
        a.runId,
        [...(snap.attempts.get(a.runId) ?? []), a].sort((x, y) => x.attempt - y.attempt),
      );
    } else if (String(i.pk).startsWith('SLOTS#')) {
      snap.slots.push({ job: String(i.job), slot: Number(i.slot), runId: String(i.runId) });
    } else if (sk.startsWith('ALERT#')) {
      snap.alerts.push({
        runId: String(i.runId),
        what: String(i.what),
        status: String(i.status),
        sent: [...((i.sent as Iterable<string>) ?? [])].sort(),
      });
    } else if (sk === 'MISSED') {
      snap.missed.push({ runId: String(i.pk).slice(4), scheduledTime: String(i.scheduledTime), job: String(i.job) });
    }
  }
  return snap;
};

const ruleBudget = (job: Job, name: string): number | undefined =>
  [...job.policy.rules, ...DEFAULT_RULES].find((r) => r.name === name)?.retries;

export class InvariantChecker {
  readonly violations: string[] = [];
  private prev: Snapshot | undefined;
  private checkedRecords = 0;
  readonly counts = { checks: 0 };

  constructor(
    private readonly world: World,
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly catalog: Catalog,
  ) {}

  private fail(where: string, invariant: string, what: string): void {
    if (this.violations.length < 40) this.violations.push(`${where}: ${invariant}: ${what}`);
  }

  private job(name: string): Job | undefined {
    return this.catalog.jobs.find((j) => j.name === name);
  }

  /** After every step of a history. */
  async afterStep(where: string): Promise<Snapshot> {
    this.counts.checks++;
    const snap = await scanTable(this.doc, this.table);
    this.oneRunPerTrigger(where, snap);
    this.oneTaskPerAttempt(where, snap);
    this.forwardOnly(where, snap);
    this.concurrency(where);
    this.budgets(where, snap, false);
    this.cancelledTasksStopping(where, snap);
    this.invocations(where);
    this.prev = snap;
    return snap;
  }

  /** At quiescence. */
  async atEnd(triggered: Set<string>): Promise<void> {
    const where = 'at quiescence';
    const snap = await this.afterStep(where);
    // 1: every trigger that was accepted has its run, and no other run exists; a finished run whose
    // job has followers (after triggers) is a trigger too, one run per follower.
    const expectedRuns = new Set(triggered);
    for (const run of snap.runs.values()) {
      if (!isFinal(run.status)) continue;
      for (const f of followersOf(this.catalog, upstreamOf(run)))
        expectedRuns.add(runIdFor(f.job.name, { type: 'after', upstreamRunId: run.runId }));
    }
    for (const id of expectedRuns)
      if (!snap.runs.has(id)) this.fail(where, '1 one run per trigger', `no run ${id} for an accepted trigger`);
    for (const id of snap.runs.keys())
      if (!expectedRuns.has(id)) this.fail(where, '1 one run per trigger', `run ${id} has no trigger in the history`);
    // 5: everything final, with a reason.
    for (const run of snap.runs.values()) {
      if (!isFinal(run.status))
        this.fail(where, '5 every run final', `${run.runId} is still ${run.status} (attempt ${run.attempt})`);
      else if (run.status !== 'SUCCEEDED' && !run.reason && !run.outcome?.diagnosis)
        this.fail(where, '5 every run final, with a reason', `${run.runId} is ${run.status} without a reason`);
    }
    this.budgets(where, snap, true);
    this.alertsOnce(where, snap);
    // 8: no slot held at quiescence.
    for (const s of snap.slots)
      this.fail(
        where,
        '8 no slot leaked',
        `${s.job} slot ${s.slot} still held by ${s.runId} (${snap.runs.get(s.runId)?.status ?? 'no run'})`,
      );
    // 9: every task stopped, cancelled runs' in particular.
    for (const t of this.world.ecs.running())
      this.fail(
        where,
        '9 every task stopped',
        `task of ${t.runId} attempt ${t.attempt} is ${t.lastStatus} (run ${snap.runs.get(t.runId)?.status ?? 'unknown'})`,
      );
    // Nothing lost: both dead-letter queues are empty (the last delivery carries no fault).
    for (const d of this.world.eventsDlq) this.fail(where, '4 nothing lost', `${d.fn} event dead-lettered: ${d.error}`);
    for (const m of this.world.launchDlq) this.fail(where, '4 nothing lost', `launch message dead-lettered: ${m.body}`);
    this.metricsOnce(where, snap);
  }

  private oneRunPerTrigger(where: string, snap: Snapshot): void {
    const byIdentity = new Map<string, string[]>();
    for (const run of snap.runs.values()) {
      const identity = identityOf(run.trigger);
      const key = `${run.job} ${JSON.stringify(identity)}`;
      byIdentity.set(key, [...(byIdentity.get(key) ?? []), run.runId]);
      if (runIdFor(run.job, identity) !== run.runId)
        this.fail(where, '1 one run per trigger', `run ${run.runId} does not derive from its trigger`);
    }
    for (const [key, ids] of byIdentity)
      if (ids.length > 1) this.fail(where, '1 one run per trigger', `${ids.length} runs for ${key}`);
  }

  private oneTaskPerAttempt(where: string, snap: Snapshot): void {
    const byAttempt = new Map<string, number>();
    for (const t of this.world.ecs.tasks.values()) {
      const k = `${t.runId}#${t.attempt}`;
      byAttempt.set(k, (byAttempt.get(k) ?? 0) + 1);
    }
    for (const [k, n] of byAttempt) if (n > 1) this.fail(where, '2 one task per attempt', `${n} tasks for ${k}`);
    for (const run of snap.runs.values())
      for (const a of snap.attempts.get(run.runId) ?? [])
        if (a.attempt > run.attempt)
          this.fail(
            where,
            '2 one task per attempt',
            `${run.runId} has attempt ${a.attempt} beyond its attempt ${run.attempt}`,
          );
  }

  private forwardOnly(where: string, snap: Snapshot): void {
    if (!this.prev) return;
    for (const [id, before] of this.prev.runs) {
      const now = snap.runs.get(id);
      if (!now) {
        this.fail(where, '3 forward only', `run ${id} disappeared`);
        continue;
      }
      if (isFinal(before.status)) {
        if (now.status !== before.status || now.attempt !== before.attempt || now.finishedAt !== before.finishedAt)
          this.fail(
            where,
            '3 no final state left',
            `${id} was ${before.status} #${before.attempt}, now ${now.status} #${now.attempt}`,
          );
        continue;
      }
      if (now.attempt < before.attempt)
        this.fail(where, '3 forward only', `${id} attempt ${before.attempt} -> ${now.attempt}`);
      else if (now.attempt === before.attempt && runRank(now.status) < runRank(before.status))
        this.fail(where, '3 forward only', `${id} ${before.status} -> ${now.status} at attempt ${now.attempt}`);
    }
    for (const [id, list] of this.prev.attempts) {
      const nowList = snap.attempts.get(id) ?? [];
      for (const a of list) {
        const b = nowList.find((x) => x.attempt === a.attempt);
        if (!b) {
          this.fail(where, '3 forward only', `attempt ${id}#${a.attempt} disappeared`);
          continue;
        }
        const what = `${id}#${a.attempt}`;
        if ((ATTEMPT_RANK[b.status] ?? 0) < (ATTEMPT_RANK[a.status] ?? 0))
          this.fail(where, '3 forward only', `attempt ${what} ${a.status} -> ${b.status}`);
        if ((a.status === 'STOPPED' || a.status === 'LAUNCH_FAILED') && b.status !== a.status)
          this.fail(where, '3 no final state left', `attempt ${what} ${a.status} -> ${b.status}`);
        if ((a.taskVersion ?? 0) > (b.taskVersion ?? 0))
          this.fail(where, '3 forward only', `attempt ${what} version ${a.taskVersion} -> ${b.taskVersion}`);
        if (a.taskArn && b.taskArn !== a.taskArn) this.fail(where, '3 forward only', `attempt ${what} task changed`);
        if (a.decision && JSON.stringify(b.decision) !== JSON.stringify(a.decision))
          this.fail(
            where,
            '3 forward only',
            `attempt ${what} decision changed from ${a.decision.action} to ${b.decision?.action}`,
          );
      }
    }
  }

  private concurrency(where: string): void {
    const running = new Map<string, number>();
    for (const t of this.world.ecs.running()) running.set(t.job, (running.get(t.job) ?? 0) + 1);
    for (const job of this.catalog.jobs) {
      const n = running.get(job.name) ?? 0;
      if (job.maxConcurrent !== undefined && n > job.maxConcurrent)
        this.fail(where, '4 maxConcurrent', `${job.name} has ${n} tasks running, at most ${job.maxConcurrent}`);
    }
  }

  private budgets(where: string, snap: Snapshot, final: boolean): void {
    for (const run of snap.runs.values()) {
      const job = this.job(run.job);
      if (!job) continue;
      const r = run.retries;
      if (r.app > job.policy.retries)
        this.fail(where, '6 budgets', `${run.runId} used ${r.app} app retries of ${job.policy.retries}`);
      if (r.infra > job.policy.maxInfrastructureRetries)
        this.fail(
          where,
          '6 budgets',
          `${run.runId} used ${r.infra} infrastructure retries of ${job.policy.maxInfrastructureRetries}`,
        );
      for (const [rule, used] of Object.entries(r.rules ?? {})) {
        const max = ruleBudget(job, rule);
        if (max !== undefined && used > max)
          this.fail(where, '6 budgets', `${run.runId} used ${used} retries of rule ${rule} (${max})`);
      }
      const maxMemory = job.policy.maxMemory ?? Math.min(job.size.memory * 4, 122880);
      if (run.size.memory > maxMemory)
        this.fail(where, '6 budgets', `${run.runId} grew to ${run.size.memory} MiB over ${maxMemory}`);
      if (!final || !isFinal(run.status)) continue;
      const attempts = snap.attempts.get(run.runId) ?? [];
      const retried = attempts.filter((a) => a.decision && RETRY_ACTIONS.has(a.decision.action)).length;
      // A cancel that lands between the tracker's read of the run and the retry's transition wins:
      // the last attempt keeps the retry the policy decided, and the run closes CANCELLED at that
      // attempt (settleAttempt's `next.status === 'CANCELLING'` branch). Found by the generated
      // histories once pauses changed their sequences; not a retry that happened.
      const last = attempts.find((a) => a.attempt === run.attempt);
      const overtaken = run.status === 'CANCELLED' && last?.decision && RETRY_ACTIONS.has(last.decision.action) ? 1 : 0;
      // Every attempt after the first was decided by a retry of the one before.
      if (attempts.length > 0 && run.attempt - 1 !== retried - overtaken)
        this.fail(where, '6 budgets', `${run.runId} is at attempt ${run.attempt} after ${retried} retry decisions`);
    }
  }

  private cancelledTasksStopping(where: string, snap: Snapshot): void {
    for (const run of snap.runs.values()) {
      if (run.status !== 'CANCELLED') continue;
      for (const t of this.world.ecs.tasks.values()) {
        if (t.runId !== run.runId || t.lost) continue;
        if (t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED')
          this.fail(
            where,
            '9 cancelled runs stopped',
            `${run.runId} is CANCELLED but its task (attempt ${t.attempt}) is ${t.lastStatus}, not asked to stop`,
          );
      }
    }
  }

  /** 7: one alert per run and final status, one per missed tick; none for anything else. */
  private alertsOnce(where: string, snap: Snapshot): void {
    const expected = new Map<string, { route: string | false; what: string }>();
    for (const run of snap.runs.values()) {
      if (run.status !== 'FAILED' && run.status !== 'TIMED_OUT') continue;
      const job = this.job(run.job);
      expected.set(run.runId, { route: job ? job.alerts : 'default', what: run.status });
    }
    for (const m of snap.missed) {
      const job = this.job(m.job);
      expected.set(m.runId, { route: job ? job.alerts : 'default', what: 'MISSED' });
    }
    // Which run an alert is about, by the fields that name it: an alert's text may name other runs
    // too (a job that runs after another names its upstream run).
    const aboutRun = (event: unknown): string => {
      const detail = (event as { detail?: { runId?: unknown; expectedRunId?: unknown } }).detail;
      return String(detail?.expectedRunId ?? detail?.runId ?? '');
    };
    const failedAfterSend = (key: string, channel: 'SNS' | 'Webhook') =>
      this.world.records.filter(
        (r) =>
          r.inv.fn === 'alert' &&
          !r.ok &&
          aboutRun(r.event) === key &&
          (channel === 'SNS'
            ? this.world.sns.some((m) => m.inv === r.inv.id)
            : this.world.webhooks.some((w) => w.inv === r.inv.id)),
      ).length;
    // The other window AWS leaves: a send whose answer was lost (5xx after SNS or the receiver took
    // it) is sent again by the SDK's own retry, in an invocation that then succeeds. One extra per
    // such retry, and only in an invocation the SDK retried a call of.
    const resentBySdk = (key: string, channel: 'SNS' | 'Webhook') =>
      this.world.records
        .filter((r) => r.inv.fn === 'alert' && r.inv.retried > 0 && aboutRun(r.event) === key)
        .reduce((extra, r) => {
          const sent =
            channel === 'SNS'
              ? this.world.sns.filter((m) => m.inv === r.inv.id).length
              : this.world.webhooks.filter((w) => w.inv === r.inv.id).length;
          return extra + Math.max(0, Math.min(sent - 1, r.inv.retried));
        }, 0);
    const snsRun = (m: { attributes: Record<string, string>; text: string }) =>
      m.attributes.runId ?? /run ([a-z0-9-]+-[a-z2-7]{20})/.exec(m.text)?.[1];
    const snsFor = (key: string) => this.world.sns.filter((m) => snsRun(m) === key);
    const hooksFor = (key: string) =>
      this.world.webhooks.filter((w) => String((w.body as { alertId?: unknown }).alertId).startsWith(`${key}:`));
    for (const [key, { route, what }] of expected) {
      const sns = snsFor(key).length;
      const hooks = hooksFor(key).length;
      const channels = route === false ? { sns: false, webhook: false } : { sns: true, webhook: route === 'ops' };
      const check = (channel: 'SNS' | 'Webhook', wanted: boolean, got: number) => {
        if (!wanted) {
          if (got > 0)
            this.fail(where, '7 alerts once', `${key} (${what}) sent ${got} ${channel} alerts, its route sends none`);
          return;
        }
        const allowed = 1 + failedAfterSend(key, channel) + resentBySdk(key, channel);
        if (got < 1 || got > allowed)
          this.fail(
            where,
            '7 alerts once',
            `${key} (${what}): ${got} ${channel} alerts, expected 1${allowed > 1 ? ` to ${allowed}` : ''}`,
          );
      };
      check('SNS', channels.sns, sns);
      check('Webhook', channels.webhook, hooks);
    }
    for (const m of this.world.sns) {
      const key = snsRun(m);
      if (!key || !expected.has(key)) this.fail(where, '7 alerts once', `an alert for no final failure: ${m.subject}`);
    }
  }

  /** Faults in logs and metrics once; no failure that no fault explains. */
  private invocations(where: string): void {
    const records = this.world.records.slice(this.checkedRecords);
    this.checkedRecords = this.world.records.length;
    for (const r of records) {
      const name = `${r.inv.fn} #${r.inv.id}`;
      if (
        !r.ok &&
        !r.inv.dead &&
        !/fault#/.test(String(r.error?.message) + String((r.error as { cause?: Error })?.cause?.message))
      )
        this.fail(where, 'no unexplained failure', `${name} failed: ${r.error?.name}: ${r.error?.message}`);
      if (r.inv.fn === 'control' && r.ok) {
        const answer = r.result as { ok: boolean; error?: { code: string; message: string } };
        if (!answer.ok && !['REQUEST_REJECTED', 'RUN_NOT_FOUND', 'JOB_UNKNOWN'].includes(answer.error?.code ?? ''))
          this.fail(
            where,
            'no unexplained failure',
            `${name} refused: ${answer.error?.code}: ${answer.error?.message}`,
          );
      }
      if (r.inv.dead) continue;
      const lines = this.world.logs.filter((l) => l.inv === r.inv.id && (l.level === 'warn' || l.level === 'error'));
      const tokens = new Set(r.escaped.flatMap((e) => e.tokens));
      for (const token of tokens) {
        const n = lines.filter((l) => new RegExp(`${token}\\b`).test(l.text)).length;
        if (n !== 1)
          this.fail(
            where,
            'faults logged once',
            `${name}: ${token} is in ${n} log lines (${r.escaped.find((e) => e.tokens.includes(token))?.message})`,
          );
      }
      const faultLines = lines.filter((l) => /fault#/.test(l.text)).length;
      if (r.faultMetrics.length !== faultLines)
        this.fail(
          where,
          'faults counted once',
          `${name}: ${r.faultMetrics.length} Faults metrics (${r.faultMetrics.join(', ')}) for ${faultLines} fault log lines`,
        );
    }
  }

  private metricsOnce(where: string, snap: Snapshot): void {
    const count = (name: string) => this.world.metrics.filter((m) => m.name === name).length;
    const runs = [...snap.runs.values()];
    for (const [metric, status] of [
      ['RunsSucceeded', 'SUCCEEDED'],
      ['RunsFailed', 'FAILED'],
      ['RunsTimedOut', 'TIMED_OUT'],
      ['RunsCancelled', 'CANCELLED'],
    ] as const) {
      const n = runs.filter((r) => r.status === status).length;
      if (count(metric) > n) this.fail(where, 'metrics once', `${count(metric)} ${metric} for ${n} ${status} runs`);
    }
  }
}
