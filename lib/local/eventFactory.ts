/**
 * The events AWS would deliver to the handlers, made on this machine: an S3 "Object Created" event,
 * our Scheduler input, the sweeper's Scheduled Event, an ECS task state change, a run event as
 * EventBridge delivers it to a rule target, and an SQS batch. One envelope for each, so the flow,
 * `longshore invoke` and its follow-up files cannot build the same event two ways.
 */
import { createHash, randomUUID } from 'node:crypto';
import { scheduleArn } from '../domain/names.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_STAGE } from './environment.ts';

type Event = Record<string, unknown>;

/** ISO 8601 to the second, as S3 and ECS write event times. */
const toSecond = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An upload as S3 and the stack's EventBridge rule deliver it. */
export const objectCreated = (bucket: string, key: string, content: string | Buffer, sequencer: string): Event => {
  const body = Buffer.from(content);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: LOCAL_ACCOUNT,
    time: toSecond(new Date()),
    region: LOCAL_REGION,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: body.length, etag: createHash('md5').update(body).digest('hex'), sequencer },
      'request-id': randomUUID().slice(0, 16).toUpperCase(),
      requester: LOCAL_ACCOUNT,
      reason: 'PutObject',
    },
  };
};

/** A schedule tick, in the shape our Scheduler schedules send. */
export const scheduleTick = (job: string, triggerIndex: number, scheduledTime: Date): Event => ({
  longshore: 'schedule',
  job,
  trigger: triggerIndex,
  scheduleArn: scheduleArn('aws', LOCAL_REGION, LOCAL_ACCOUNT, LOCAL_STAGE, job, triggerIndex),
  scheduledTime: toSecond(scheduledTime),
});

/** The sweeper's clock: an EventBridge rule's Scheduled Event. */
export const sweeperTick = (): Event => ({
  version: '0',
  source: 'aws.events',
  'detail-type': 'Scheduled Event',
  time: new Date().toISOString(),
  detail: {},
});

/** An ECS "Task State Change" for a task as DescribeTasks would show it (times as ISO strings). */
export const taskStateChange = (detail: Event & { taskArn: string }, at: Date = new Date()): Event => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'ECS Task State Change',
  source: 'aws.ecs',
  account: LOCAL_ACCOUNT,
  time: toSecond(at),
  region: LOCAL_REGION,
  resources: [detail.taskArn],
  detail,
});

/** A run event put on the bus, as EventBridge hands it to the target of a rule that matched it. */
export const runEventDelivery = (source: string, detailType: string, detail: Event): Event => ({
  version: '0',
  id: randomUUID(),
  source,
  'detail-type': detailType,
  time: new Date().toISOString(),
  detail,
});

/** SQS messages as the event source mapping hands a batch to its function. */
export const sqsBatch = (
  messages: readonly { messageId: string; body: string }[],
  attributes: Record<string, string> = {},
): { Records: Event[] } => ({
  Records: messages.map((m) => ({ ...m, eventSource: 'aws:sqs', attributes, messageAttributes: {} })),
});

/** An event an event trigger's rule matched, as its input transformer hands it to onEvent (lib/infra/triggers.ts). */
export const eventTriggerDelivery = (job: string, triggerIndex: number, event: Event): Event => ({
  longshore: 'event',
  job,
  trigger: triggerIndex,
  event,
});

/** An SQS message of an sqs trigger's queue, as its event source mapping hands it to onMessage. */
export const queueMessage = (queueArn: string, body: string, messageId: string = randomUUID()): Event => ({
  messageId,
  receiptHandle: `local-${messageId}`,
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
  messageAttributes: {},
  md5OfBody: createHash('md5').update(body).digest('hex'),
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: LOCAL_REGION,
});

/** An EventBridge event as a producer's PutEvents entry becomes one on the bus (id, time, account filled in). */
export const busEvent = (
  entry: { source: string; 'detail-type': string; detail: unknown },
  at = new Date(),
): Event => ({
  version: '0',
  id: randomUUID(),
  account: LOCAL_ACCOUNT,
  time: toSecond(at),
  region: LOCAL_REGION,
  resources: [],
  ...entry,
});
