/**
 * The demo scenario `npm start` plays on the local flow: four uploads and a schedule tick, each
 * showing one part of the failure policy; the CLI prints what happens (lib/cli/commands/up.ts).
 *  1. an image upload: thumbnails runs its local command and succeeds;
 *  2. a CSV upload whose first attempt is killed for memory: retried at once with 4 GB, succeeds;
 *  3. a CSV upload whose Spot task is interrupted: retried on on-demand Fargate, succeeds;
 *  4. the nightly report's tick, whose image cannot be pulled: fails at once and alerts;
 *  5. a CSV upload with no `id` column: the ingest rejects it (exit 65), the run fails at once and
 *     its alert quotes the container's last log lines;
 *  6. an Order Placed event on the shop's bus, delivered twice (EventBridge is at least once):
 *     order-fulfilment runs once, with ORDER_ID, ORDER_TOTAL and FIRST_SKU taken from the event;
 *  7. a re-sent order on the back office's queue: order-fulfilment runs once for it;
 *  8. after each CSV ingest succeeds, ingest-summary runs once (its `after` trigger), reading the
 *     upstream run's object from LONGSHORE_UPSTREAM_S3_* and its row count from its result
 *     (LONGSHORE_UPSTREAM_RESULT: csv-ingest declares result: { lastLogLine: true }).
 */
import type { Attempt, Run } from '../domain/run.ts';
import { runIdFor } from '../domain/runId.ts';
import { busEvent } from './eventFactory.ts';
import type { LocalRuntime } from './LocalRuntime.ts';
import type { ScriptEntry } from './taskScript.ts';

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

/** A partner file the ingest rejects: its header has no `id` column. */
const rejectedCsv = ['account,amount', 'ACME-1000,12.50', 'ACME-1001,7.31'].join('\n');

export interface DemoResult {
  runs: { run: Run; attempts: Attempt[] }[];
  alerts: number;
  /** The alerts' texts, as the local flow shows them. */
  alertTexts: string[];
  webhooks: number;
  seconds: number;
  idle: boolean;
}

/** The back office's queue of the order-fulfilment job's sqs trigger, as jobs.ts names it. */
const ORDERS_RESEND_QUEUE = 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:acme-orders-resend';

/** Plays the demo's seven triggers (and the runs after them), saying each (`say`), and waits for the flow to settle. */
export const playDemo = async (rt: LocalRuntime, plan: DemoPlan, say: (step: string) => void): Promise<DemoResult> => {
  const started = Date.now();
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
  say(
    `5. upload s3://acme-partner-drop/incoming/hooli-${plan.stamp}.csv (csv-ingest: no id column, fails and alerts with its last log lines)`,
  );
  collect(await rt.upload('acme-partner-drop', `incoming/hooli-${plan.stamp}.csv`, rejectedCsv));
  const order = busEvent({
    source: 'acme.shop',
    'detail-type': 'Order Placed',
    detail: { orderId: `o-${plan.stamp}-1`, channel: 'web', total: 42.5, items: [{ sku: 'MUG-RED', qty: 2 }] },
  });
  say(`6. Order Placed ${order.id} on bus acme-shop, delivered twice (order-fulfilment: one run)`);
  for (const delivery of [...(await rt.putEvent(order, 'acme-shop')), ...(await rt.putEvent(order, 'acme-shop'))])
    collect(delivery);
  const resent = { orderId: `o-${plan.stamp}-2`, total: 19.9, items: [{ sku: 'TEA-GREEN', qty: 1 }] };
  say(`7. message on queue acme-orders-resend for order ${resent.orderId} (order-fulfilment: one run)`);
  const sent = await rt.sendMessage(ORDERS_RESEND_QUEUE, JSON.stringify(resent));
  if (!sent.ok || (sent.result as { batchItemFailures: unknown[] }).batchItemFailures.length > 0)
    throw new Error(
      `demo step failed: the queue message did not become a run (${sent.error?.message ?? 'batch item failure'})`,
    );
  runIds.push(runIdFor('order-fulfilment', { type: 'sqs', identity: [resent.orderId] }));
  const idle = await rt.idle(90_000);
  // 8. The runs after the ingests that succeeded: their ids derive from the upstream run ids.
  const ingests = runIds.filter((id) => id.startsWith('csv-ingest-'));
  runIds.push(...ingests.map((id) => runIdFor('ingest-summary', { type: 'after', upstreamRunId: id })));
  const runs = (await Promise.all([...new Set(runIds)].map((id) => rt.store.getHistory(id)))).filter(
    (h): h is NonNullable<typeof h> => h !== undefined,
  );
  return {
    runs,
    alerts: rt.recorder.alerts.length,
    alertTexts: rt.recorder.alerts.map((a) => a.message),
    webhooks: rt.recorder.webhooks.length,
    seconds: (Date.now() - started) / 1000,
    idle,
  };
};

/** Expected endings of the demo's five runs: what differs, in words (the demo exits 1 if any does). */
export const demoProblems = (result: DemoResult): string[] => {
  const problems: string[] = [];
  const [thumb, oom, spot, report, rejected] = result.runs.map((r) => r.run);
  if (thumb?.status !== 'SUCCEEDED') problems.push(`thumbnails ended ${thumb?.status}`);
  if (oom?.status !== 'SUCCEEDED' || oom.attempt !== 2 || oom.size.memory !== 4096)
    problems.push(`the OOM run ended ${oom?.status} at attempt ${oom?.attempt} with ${oom?.size.memory} MiB`);
  if (spot?.status !== 'SUCCEEDED' || spot.attempt !== 2 || spot.capacity !== 'FARGATE')
    problems.push(`the Spot run ended ${spot?.status} at attempt ${spot?.attempt} on ${spot?.capacity}`);
  if (report?.status !== 'FAILED') problems.push(`the report run ended ${report?.status}`);
  if (rejected?.status !== 'FAILED' || rejected.outcome?.rule !== 'partner-file-rejected')
    problems.push(`the rejected file's run ended ${rejected?.status} [${rejected?.outcome?.rule}]`);
  else if (!result.alertTexts.some((t) => t.includes(rejected.runId) && t.includes("has no 'id' column")))
    problems.push("the rejected file's alert does not quote its last log lines");
  // The ingests that succeeded recorded their last JSON line as their result (result: { lastLogLine }).
  for (const run of [oom, spot])
    if (run?.status === 'SUCCEEDED' && !/"rows":\d+/.test(run.result ?? ''))
      problems.push(`the ingest run ${run.runId} recorded no result (${run.resultError ?? 'none'})`);
  const summaries = result.runs.filter((r) => r.run.job === 'ingest-summary' && r.run.status === 'SUCCEEDED');
  if (summaries.length !== 2)
    problems.push(`${summaries.length} ingest-summary runs succeeded after the ingests, not 2`);
  const orders = result.runs.filter((r) => r.run.job === 'order-fulfilment');
  const distinct = new Set(orders.map((r) => r.run.runId));
  if (distinct.size !== 2 || orders.some((r) => r.run.status !== 'SUCCEEDED'))
    problems.push(
      `order-fulfilment ran ${distinct.size} times (${orders.map((r) => r.run.status).join(', ')}), not once per order (2)`,
    );
  if (result.alerts < 1) problems.push('no alert was sent');
  if (!result.idle) problems.push('the flow did not settle within 90 s');
  return problems;
};
