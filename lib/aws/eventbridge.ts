/** Run events on the service's bus. PutEvents partial failures become EventPublishError. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { RUN_EVENT_SOURCE } from '../domain/runEvents.ts';
import { EventPublishError } from '../errors.ts';
import type { RunEventPublisher } from '../ports.ts';

export const eventBridgeClient = /* @__PURE__ */ new EventBridgeClient({ maxAttempts: 6 });

export const buildRunEventPublisher = (client: EventBridgeClient, busName: string): RunEventPublisher => ({
  publish: async (events) => {
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const out = await client.send(
        new PutEventsCommand({
          Entries: batch.map((e) => ({
            EventBusName: busName,
            Source: RUN_EVENT_SOURCE,
            DetailType: e.type,
            Detail: JSON.stringify(e.detail),
            Resources: [],
          })),
        }),
      );
      if (out.FailedEntryCount) {
        const failed = (out.Entries ?? []).flatMap((entry, j) =>
          entry.ErrorCode
            ? [
                {
                  detailType: batch[j]?.type ?? 'unknown',
                  errorCode: entry.ErrorCode,
                  ...(entry.ErrorMessage ? { errorMessage: entry.ErrorMessage } : {}),
                },
              ]
            : [],
        );
        throw new EventPublishError(failed);
      }
    }
  },
});
