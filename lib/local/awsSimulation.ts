/**
 * The one simulation of AWS every local path uses (the local flow, `longshore invoke`, `osls invoke
 * local`): the SDK clients of ECS, SQS, EventBridge, SNS, Secrets Manager, CloudWatch Logs (GetLogEvents)
 * and Scheduler (GetSchedule, UpdateSchedule: LocalSchedules.ts) are mocked at the class
 * level with aws-sdk-client-mock, so the handlers run the deployed adapters unchanged, and each call
 * is recorded, then answered by the simulated ECS, the local queue, the router (run events) or
 * here. Webhook posts to `webhook.local` are received here. DynamoDB is a real local engine; its
 * calls are recorded by `recordingSend`.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeregisterTaskDefinitionCommand,
  type DeregisterTaskDefinitionCommandInput,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandInput,
  DescribeTasksCommand,
  type DescribeTasksCommandInput,
  ECSClient,
  ListTaskDefinitionFamiliesCommand,
  type ListTaskDefinitionFamiliesCommandInput,
  ListTaskDefinitionsCommand,
  type ListTaskDefinitionsCommandInput,
  ListTasksCommand,
  type ListTasksCommandInput,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
  type StopTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { Catalog } from '../catalog/schema.ts';
import { WEBHOOK_HOST } from './environment.ts';
import type { LocalQueue } from './LocalQueue.ts';
import type { LocalSchedules } from './LocalSchedules.ts';
import { localTaskLogs } from './localLogs.ts';
import type { Recorder } from './Recorder.ts';
import type { SimulatedEcs } from './SimulatedEcs.ts';

export interface AwsSimulation {
  recorder: Recorder;
  ecs: SimulatedEcs;
  queue: LocalQueue;
  /** The stage's schedules (a pause disables them, a resume enables them). */
  schedules: LocalSchedules;
  /** Secret values by name (local.secrets.json); a secret without one is a `webhook.local` URL. */
  secretValues: () => Record<string, string>;
  /** The catalog's alert routes, to name the route a webhook post came from. */
  alertRoutes: () => Catalog['alerts'];
  /** How an alert reads on this machine (its console links made local files); as sent when absent. */
  localAlertText?: (message: string) => string;
  /** Where the simulated tasks' logs are (GetLogEvents reads them); no lines when absent. */
  logsDir?: string;
  /** Where S3 PutObject writes (a batch run's manifest: `<dir>/<bucket>/<key>`); refused when absent. */
  manifestsDir?: string;
  /** Each run event PutEvents put on the bus (the router's, in the flow and invokes). */
  onRunEvent?: (source: string, detailType: string, detail: Record<string, unknown>) => void;
}

type Send = (command: unknown, ...rest: unknown[]) => Promise<unknown>;

/** A DynamoDB client's `send` that records each command (but table scans, which are ours) first. */
export const recordingSend =
  (recorder: Recorder, send: Send): Send =>
  (command, ...rest) => {
    const c = command as { constructor: { name: string }; input: unknown };
    if (c.constructor.name !== 'ScanCommand')
      recorder.call('DynamoDB', c.constructor.name.replace(/Command$/, ''), c.input);
    return send(command, ...rest);
  };

/** Installs the simulation; returns what puts the real clients (and fetch) back. */
export const installAwsSimulation = (sim: AwsSimulation): (() => void) => {
  const rec = sim.recorder;
  /** Records the call, then answers it. */
  const answer =
    <I, O>(service: string, command: string, fn: (input: I) => O) =>
    async (input: I): Promise<O> => {
      rec.call(service, command, input);
      return fn(input);
    };
  const ecs = mockClient(ECSClient);
  ecs.on(RunTaskCommand).callsFake(answer('ECS', 'RunTask', (i: RunTaskCommandInput) => sim.ecs.runTask(i)));
  ecs.on(StopTaskCommand).callsFake(answer('ECS', 'StopTask', (i: StopTaskCommandInput) => sim.ecs.stopTask(i)));
  ecs
    .on(DescribeTasksCommand)
    .callsFake(answer('ECS', 'DescribeTasks', (i: DescribeTasksCommandInput) => sim.ecs.describeTasks(i)));
  ecs.on(ListTasksCommand).callsFake(answer('ECS', 'ListTasks', (i: ListTasksCommandInput) => sim.ecs.listTasks(i)));
  // Runs on another image register (or find) a task definition revision of their own.
  const td = sim.ecs.taskDefinitions;
  ecs
    .on(RegisterTaskDefinitionCommand)
    .callsFake(answer('ECS', 'RegisterTaskDefinition', (i: RegisterTaskDefinitionCommandInput) => td.register(i)));
  ecs
    .on(DescribeTaskDefinitionCommand)
    .callsFake(answer('ECS', 'DescribeTaskDefinition', (i: DescribeTaskDefinitionCommandInput) => td.describe(i)));
  ecs
    .on(ListTaskDefinitionFamiliesCommand)
    .callsFake(
      answer('ECS', 'ListTaskDefinitionFamilies', (i: ListTaskDefinitionFamiliesCommandInput) => td.listFamilies(i)),
    );
  ecs
    .on(ListTaskDefinitionsCommand)
    .callsFake(answer('ECS', 'ListTaskDefinitions', (i: ListTaskDefinitionsCommandInput) => td.listDefinitions(i)));
  ecs
    .on(DeregisterTaskDefinitionCommand)
    .callsFake(
      answer('ECS', 'DeregisterTaskDefinition', (i: DeregisterTaskDefinitionCommandInput) => td.deregister(i)),
    );
  const sqs = mockClient(SQSClient);
  sqs
    .on(SendMessageBatchCommand)
    .callsFake(
      answer('SQS', 'SendMessageBatch', (i: SendMessageBatchCommandInput) => sim.queue.sendBatch(i.Entries ?? [])),
    );
  const eb = mockClient(EventBridgeClient);
  eb.on(PutEventsCommand).callsFake(async (input) => {
    rec.call('EventBridge', 'PutEvents', input);
    for (const entry of input.Entries ?? [])
      sim.onRunEvent?.(entry.Source ?? '', entry.DetailType ?? '', JSON.parse(entry.Detail ?? '{}'));
    return { FailedEntryCount: 0, Entries: (input.Entries ?? []).map(() => ({ EventId: randomUUID() })) };
  });
  const sns = mockClient(SNSClient);
  sns.on(PublishCommand).callsFake(async (input) => {
    rec.call('SNS', 'Publish', input);
    // The call is recorded as sent; the alert as a person here reads it (a link they can open).
    const message = input.Message ?? '';
    rec.alert({ subject: input.Subject ?? '', message: sim.localAlertText?.(message) ?? message });
    return { MessageId: randomUUID() };
  });
  // A secret's value is what it hands out, never what it records: the call's input (the name) only.
  // Which secret a webhook URL came from is kept here, so the post can be shown by secret name.
  const secretOfValue = new Map<string, string>();
  const sm = mockClient(SecretsManagerClient);
  sm.on(GetSecretValueCommand).callsFake(async (input) => {
    rec.call('SecretsManager', 'GetSecretValue', { SecretId: input.SecretId });
    const id = String(input.SecretId);
    const value = sim.secretValues()[id] ?? `https://${WEBHOOK_HOST}/${encodeURIComponent(id)}`;
    secretOfValue.set(value.trim(), id);
    return { Name: id, SecretString: value };
  });
  // GetLogEvents (the alert's excerpt) reads the simulated task's log file: its last `limit` lines.
  const logs = mockClient(CloudWatchLogsClient);
  logs.on(GetLogEventsCommand).callsFake(async (input) => {
    rec.call('CloudWatchLogs', 'GetLogEvents', input);
    if (!sim.logsDir) return { events: [] };
    const { lines } = await localTaskLogs(sim.logsDir).read(
      { group: String(input.logGroupName), stream: String(input.logStreamName) },
      { tail: input.limit ?? 10_000 },
    );
    return { events: lines.map((l) => ({ message: l.message })) };
  });
  const scheduler = mockClient(SchedulerClient);
  scheduler.on(GetScheduleCommand).callsFake(answer('Scheduler', 'GetSchedule', (i) => sim.schedules.getSchedule(i)));
  scheduler
    .on(UpdateScheduleCommand)
    .callsFake(answer('Scheduler', 'UpdateSchedule', (i) => sim.schedules.updateSchedule(i)));
  // A batch's manifest (the only object longshore writes) lands in a folder of its own, apart from
  // the bucket folders the flow watches for uploads.
  const s3 = mockClient(S3Client);
  s3.on(PutObjectCommand).callsFake(async (input) => {
    rec.call('S3', 'PutObject', { Bucket: input.Bucket, Key: input.Key });
    if (!sim.manifestsDir) throw new Error('S3 PutObject: no manifest folder on this machine');
    const file = join(sim.manifestsDir, String(input.Bucket), String(input.Key));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, String(input.Body ?? ''));
    return { ETag: '"local"' };
  });
  // Webhooks to webhook.local are received here (the alert handler posts with fetch).
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const href = String(url instanceof Request ? url.url : url);
    if (new URL(href).host !== WEBHOOK_HOST) return realFetch(url, init);
    const secret = secretOfValue.get(href) ?? 'unknown';
    const routes = Object.entries(sim.alertRoutes())
      .filter(([, r]) => r.webhookSecret === secret)
      .map(([name]) => name);
    rec.webhooks.push({
      route: routes.join(', ') || 'unknown',
      secret,
      body: JSON.parse(String(init?.body ?? 'null')),
    });
    return new Response('ok', { status: 200 });
  }) as typeof fetch;
  return () => {
    for (const m of [ecs, sqs, eb, sns, sm, logs, scheduler, s3]) m.restore();
    globalThis.fetch = realFetch;
  };
};
