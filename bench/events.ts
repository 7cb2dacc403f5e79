/**
 * Events as AWS delivers them, built from the real samples in `events/` and dated by the caller's
 * clock (never a fixed date: a fixture that expires turns a bench into a measurement of an error
 * path). Shared by the warm benchmark (real clock) and the simulation (virtual clock).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SimTask } from './aws/simulatedEcs.ts';
import { FIXTURES, sampleEvent } from './fixtures.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);

/** EventBridge "Object Created" for an upload of the fixture job. */
export const objectCreated = (nowMs: number, key: string, sequencer: string): Json => {
  const e = clone(sampleEvent<Json & { detail: Json & { bucket: Json; object: Json } }>('s3-object-created'));
  e.id = randomUUID();
  e.time = new Date(nowMs).toISOString();
  e.account = ACCOUNT;
  e.resources = [`arn:aws:s3:::${FIXTURES.uploadBucket}`];
  e.detail.bucket = { name: FIXTURES.uploadBucket };
  e.detail.object = {
    ...e.detail.object,
    key,
    sequencer,
    size: 48213,
    etag: createHash('md5').update(key).digest('hex'),
  };
  delete (e.detail.object as Json)['version-id'];
  return e;
};

/** The SQS event the launcher's event source mapping delivers for these messages. */
export const sqsEvent = (
  nowMs: number,
  messages: { messageId: string; body: string; receiveCount?: number; sentAt?: number }[],
): Json => {
  const sample = sampleEvent<{ Records: Json[] }>('launch-queue').Records[0] as Json;
  return {
    Records: messages.map((m) => ({
      ...clone(sample),
      messageId: m.messageId,
      receiptHandle: `AQEB${m.messageId}`,
      body: m.body,
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount ?? 1),
        SentTimestamp: String(m.sentAt ?? nowMs),
        SenderId: `AROAEXAMPLE:longshore-prod-onUpload`,
        ApproximateFirstReceiveTimestamp: String(nowMs),
      },
      eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:longshore-prod-launch`,
    })),
  };
};

/** ECS "Task State Change" for a simulated task, as EventBridge delivers it (ISO timestamps). */
export const taskStateChange = (nowMs: number, task: SimTask): Json => {
  const base = clone(
    sampleEvent<Json & { detail: Json }>(
      task.lastStatus === 'STOPPED' ? 'ecs-task-stopped-success' : 'ecs-task-running',
    ),
  );
  const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const sampleContainer = ((base.detail.containers as Json[])[0] ?? {}) as Json;
  const detail: Json = {
    ...base.detail,
    clusterArn: task.clusterArn,
    taskArn: task.taskArn,
    taskDefinitionArn: task.taskDefinitionArn,
    group: task.group,
    startedBy: task.startedBy,
    capacityProviderName: task.capacityProviderName,
    launchType: 'FARGATE',
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    version: task.version,
    createdAt: iso(task.createdAt),
    updatedAt: iso(nowMs),
    overrides: task.overrides,
    containers: task.containers.map((c) => ({
      ...sampleContainer,
      name: c.name,
      lastStatus: c.lastStatus,
      taskArn: task.taskArn,
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : { exitCode: undefined }),
      ...(c.reason ? { reason: c.reason } : {}),
    })),
  };
  if (task.cpu) detail.cpu = task.cpu;
  if (task.memory) detail.memory = task.memory;
  for (const k of ['connectivityAt', 'pullStartedAt', 'pullStoppedAt', 'startedAt'])
    detail[k] = iso(task.startedAt ?? nowMs);
  if (task.lastStatus === 'STOPPED') {
    detail.stopCode = task.stopCode;
    detail.stoppedReason = task.stoppedReason;
    detail.stoppingAt = iso(task.stoppedAt);
    detail.executionStoppedAt = iso(task.stoppedAt);
    detail.stoppedAt = iso(task.stoppedAt);
  } else {
    for (const k of ['stopCode', 'stoppedReason', 'stoppingAt', 'executionStoppedAt', 'stoppedAt']) delete detail[k];
  }
  const clean = JSON.parse(JSON.stringify(detail)) as Json;
  return {
    ...base,
    id: randomUUID(),
    time: new Date(nowMs).toISOString(),
    account: ACCOUNT,
    region: REGION,
    resources: [task.taskArn],
    detail: clean,
  };
};

/** A run event from our bus as EventBridge delivers it to a rule target (the alert function). */
export const busEvent = (nowMs: number, entry: { Source: string; DetailType: string; Detail: string }): Json => ({
  version: '0',
  id: randomUUID(),
  'detail-type': entry.DetailType,
  source: entry.Source,
  account: ACCOUNT,
  time: new Date(nowMs).toISOString(),
  region: REGION,
  resources: [],
  detail: JSON.parse(entry.Detail),
});

/** A `Run Failed` of the alert fixture job, from the sample, for a run of its own. */
export const runFailed = (nowMs: number, stage: string, runId: string): Json => {
  const e = clone(sampleEvent<Json & { detail: Json }>('run-failed'));
  e.id = randomUUID();
  e.time = new Date(nowMs).toISOString();
  e.account = ACCOUNT;
  // createdAt dates the alert marker's expiry: the run was created just now.
  e.detail = { ...e.detail, stage, runId, job: FIXTURES.alertJob, createdAt: e.time };
  return e;
};

/** Our Scheduler input for a tick of the schedule fixture job. */
export const scheduleTick = (stage: string, scheduledMs: number): Json => {
  const e = clone(sampleEvent<Json>('schedule-scheduler-input'));
  e.job = FIXTURES.scheduleJob;
  e.scheduleArn = `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/longshore-${stage}/longshore-${stage}-${FIXTURES.scheduleJob}-cron0`;
  e.scheduledTime = new Date(scheduledMs).toISOString();
  return e;
};

/** A manual trigger from the CLI, with its own client token. */
export const controlTrigger = (token: string): Json => ({
  action: 'trigger',
  job: FIXTURES.alertJob,
  clientToken: token,
  requestedBy: 'bench@example.com',
});

/** The sweeper's rule tick. */
export const sweeperTick = (nowMs: number, stage: string): Json => {
  const e = clone(sampleEvent<Json>('sweeper-tick'));
  e.id = randomUUID();
  e.time = new Date(nowMs).toISOString();
  e.account = ACCOUNT;
  e.resources = [`arn:aws:events:${REGION}:${ACCOUNT}:rule/longshore-${stage}-sweeper`];
  return e;
};
