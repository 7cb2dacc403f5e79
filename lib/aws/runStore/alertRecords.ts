/**
 * Alert markers: one item per alert that must go out once (`RUN#<runId>` / `ALERT#<what>`), beside
 * the run (or, for a missed tick, beside the run the tick would have had), expiring with it. An
 * invocation takes the marker with a lease before sending, records each channel once it is sent,
 * and closes it when every channel is; another delivery of the same run event finds it and sends
 * nothing (docs/decisions.md, "Alerts once per run and final status").
 */
import { alertSk, runPk } from '../../domain/keys.ts';
import type { AlertChannel, AlertClaim, AlertKey, RunStore } from '../../ports.ts';
import { buildUpdate } from './expressions.ts';
import type { Item, Table } from './table.ts';

type AlertMethods = Pick<RunStore, 'claimAlert' | 'recordAlertSent'>;

const channelsOf = (item: Item | undefined): AlertChannel[] =>
  [...((item?.sent as Iterable<AlertChannel> | undefined) ?? [])].sort();

export const alertRecords = (t: Table): AlertMethods => {
  const key = (k: AlertKey) => ({ pk: runPk(k.runId), sk: alertSk(k.what) });
  return {
    claimAlert: (k, holder, now, leaseSeconds, expiresAt) =>
      t.ifConditionHolds(
        async (): Promise<AlertClaim> => {
          const out = await t.update(
            key(k),
            buildUpdate(
              {
                set: {
                  holder,
                  leaseUntil: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
                  kind: 'alert',
                },
                setIfMissing: { status: 'sending', runId: k.runId, what: k.what, expiresAt },
              },
              // A new marker, or one whose holder died (its lease ran out), or this holder again
              // (a Lambda retry of the same invocation); never one that was sent.
              'attribute_not_exists(#pk) OR (#status = :sending AND (#leaseUntil <= :now OR #holder = :holder))',
              { ':sending': 'sending', ':now': now.toISOString(), ':holder': holder },
            ),
            { ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
          );
          return { claimed: true, sent: channelsOf(out.Attributes) };
        },
        async (old, error): Promise<AlertClaim> => {
          const item = old ?? (await t.get(key(k)));
          if (!item) throw error;
          return { claimed: false, why: item.status === 'sent' ? 'sent' : 'in-progress', sent: channelsOf(item) };
        },
      ),

    recordAlertSent: (k, holder, channel, done) => {
      if (!channel && !done) return Promise.resolve(true);
      return t.ifConditionHolds(
        async () => {
          await t.update(
            key(k),
            buildUpdate(
              {
                ...(done ? { set: { status: 'sent' }, remove: ['leaseUntil'] } : {}),
                ...(channel ? { add: { sent: new Set([channel]) } } : {}),
              },
              '#holder = :holder AND #status = :sending',
              { ':holder': holder, ':sending': 'sending' },
            ),
          );
          return true;
        },
        () => false,
      );
    },
  };
};
