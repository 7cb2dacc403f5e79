/**
 * The hostile corpus: bad inputs for every handler, each with the one outcome it must have.
 * Outcomes: `invalid` (InvalidEventError naming the field; Lambda retries and dead-letters it),
 * `refused` (the control function answers ok: false with the code, naming the field), `failures`
 * (the SQS batch reports exactly these items for retry, then the DLQ), `ok` (accepted and correct,
 * or recognised as foreign or duplicate: the result says which).
 */
import type { FunctionKey } from '../../lib/local/functionKeys.ts';
import {
  classic,
  controlTrigger,
  launchBatch,
  orderDelivery,
  resendBatch,
  sample,
  taskChange,
  upload,
} from './events.ts';

export type Expected =
  | { invalid: string }
  | { error: string; says: string }
  | { refused: string; says: string }
  | { failures: string[]; says?: string }
  | { ok: Record<string, unknown> | true };

export interface HostileCase {
  class: string;
  name: string;
  fn: FunctionKey;
  event: unknown;
  expect: Expected;
}

type Json = Record<string, unknown>;
const c = (klass: string, name: string, fn: FunctionKey, event: unknown, expect: Expected): HostileCase => ({
  class: klass,
  name,
  fn,
  event,
  expect,
});
const run = (job: string) => `${job}-aaaaaaaaaaaaaaaaaaaa`;
const body = (v: unknown) => JSON.stringify(v);
const msg = (over: Json) => body({ v: 1, runId: run('thumbnails'), attempt: 1, ...over });

export const HOSTILE: HostileCase[] = [
  // Malformed JSON (where JSON arrives as text: SQS message bodies)
  c('malformed JSON', 'a launch body cut short', 'launcher', launchBatch('{"v":1,"runId":'), { failures: ['m0'] }),
  c('malformed JSON', 'an empty launch body', 'launcher', launchBatch(''), { failures: ['m0'] }),
  c('malformed JSON', 'a launch body that is JSON null', 'launcher', launchBatch('null'), { failures: ['m0'] }),
  c('malformed JSON', 'a launch body that is an array', 'launcher', launchBatch('[1,2]'), { failures: ['m0'] }),
  c('malformed JSON', 'a launch body with a BOM and trailing garbage', 'launcher', launchBatch('\ufeff{"v":1} x'), {
    failures: ['m0'],
  }),
  c(
    'malformed JSON',
    'one bad body among good ones: only it is retried',
    'launcher',
    launchBatch('{', msg({ runId: run('csv-ingest') })),
    {
      failures: ['m0'],
    },
  ),

  // Wrong shapes and types
  c('wrong shape', 'an upload event that is null', 'onUpload', null, { invalid: 'S3' }),
  c('wrong shape', 'an upload event that is a string', 'onUpload', 'uploads/a.jpg', { invalid: 'S3' }),
  c('wrong shape', 'an upload event that is an array', 'onUpload', [upload('a.jpg')], { invalid: 'S3' }),
  c(
    'wrong shape',
    'an upload whose detail is a string',
    'onUpload',
    upload('a', (e) => {
      e.detail = 'x';
    }),
    { invalid: 'detail' },
  ),
  c('wrong shape', 'an upload whose key is a number', 'onUpload', upload(42), { invalid: 'key' }),
  c(
    'wrong shape',
    'an upload whose bucket is an array',
    'onUpload',
    upload('a', (e) => {
      (e.detail as Json).bucket = ['b'];
    }),
    { invalid: 'bucket' },
  ),
  c(
    'wrong shape',
    'a task event whose containers is an object',
    'onTaskStateChange',
    taskChange((_e, d) => {
      d.containers = {};
    }),
    { invalid: 'containers' },
  ),
  c(
    'wrong shape',
    'a task event with no detail',
    'onTaskStateChange',
    taskChange((e) => {
      delete e.detail;
    }),
    { invalid: 'detail' },
  ),
  c('wrong shape', 'a control request that is a string', 'control', 'trigger csv-ingest', {
    refused: 'EVENT_INVALID',
    says: 'request',
  }),
  c('wrong shape', 'a control request that is null', 'control', null, { refused: 'EVENT_INVALID', says: 'request' }),
  c('wrong shape', 'a launch batch without Records', 'launcher', { records: [] }, { invalid: 'Records' }),
  c('wrong shape', 'a launch record whose body is an object', 'launcher', launchBatch({ v: 1 }), { invalid: 'body' }),
  c(
    'wrong shape',
    'a scheduler input whose trigger index is a string',
    'onSchedule',
    { ...sample('schedule-scheduler-input'), trigger: '0' },
    { invalid: 'trigger' },
  ),
  c(
    'wrong shape',
    'a run event for the alert function with detail null',
    'alert',
    { ...sample('run-failed'), detail: null },
    { invalid: 'detail' },
  ),

  // Missing and extra fields
  c(
    'missing field',
    'an upload without an object key',
    'onUpload',
    upload('a', (e) => {
      delete ((e.detail as Json).object as Json).key;
    }),
    { invalid: 'key' },
  ),
  c(
    'missing field',
    'an upload without a bucket',
    'onUpload',
    upload('a', (e) => {
      delete (e.detail as Json).bucket;
    }),
    { invalid: 'bucket' },
  ),
  c(
    'missing field',
    'a task event without a task ARN',
    'onTaskStateChange',
    taskChange((_e, d) => {
      delete d.taskArn;
    }),
    { invalid: 'taskArn' },
  ),
  c(
    'missing field',
    'a task event without lastStatus',
    'onTaskStateChange',
    taskChange((_e, d) => {
      delete d.lastStatus;
    }),
    { invalid: 'lastStatus' },
  ),
  c(
    'missing field',
    'a control request without an action',
    'control',
    { job: 'csv-ingest' },
    { refused: 'EVENT_INVALID', says: 'action' },
  ),
  c(
    'missing field',
    'a trigger without a job',
    'control',
    { action: 'trigger' },
    { refused: 'EVENT_INVALID', says: 'job' },
  ),
  c(
    'missing field',
    'a retry without a run id',
    'control',
    { action: 'retry' },
    { refused: 'EVENT_INVALID', says: 'runId' },
  ),
  c(
    'missing field',
    'a launch message without an attempt',
    'launcher',
    launchBatch(body({ v: 1, runId: run('thumbnails') })),
    { failures: ['m0'] },
  ),
  c(
    'missing field',
    'a run event without its run id (alert)',
    'alert',
    { ...sample('run-failed'), detail: { ...(sample('run-failed').detail as Json), runId: undefined } },
    { invalid: 'runId' },
  ),
  c(
    'extra field',
    'a control request with an unknown field',
    'control',
    controlTrigger((r) => {
      r.image = 'evil:latest';
    }),
    { refused: 'EVENT_INVALID', says: 'image' },
  ),
  c(
    'extra field',
    'overrides with an unknown field',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).taskRoleArn = 'arn:aws:iam::1:role/admin';
    }),
    { refused: 'EVENT_INVALID', says: 'taskRoleArn' },
  ),
  c('extra field', 'a launch message with an unknown field', 'launcher', launchBatch(msg({ command: ['sh'] })), {
    failures: ['m0'],
  }),

  // Unknown detail types, statuses and stop codes
  c(
    'unknown type',
    'an S3 Object Deleted event',
    'onUpload',
    upload('a.jpg', (e) => {
      e['detail-type'] = 'Object Deleted';
    }),
    { invalid: 'detail-type' },
  ),
  c(
    'unknown type',
    'an event from another source',
    'onUpload',
    upload('a.jpg', (e) => {
      e.source = 'evil.s3';
    }),
    { invalid: 'source' },
  ),
  c(
    'unknown type',
    'a task event with an unknown lastStatus',
    'onTaskStateChange',
    taskChange((_e, d) => {
      d.lastStatus = 'EXPLODED';
    }),
    { ok: { outcome: 'unknown-run' } },
  ),
  c(
    'unknown type',
    'a task event with an unknown stop code (kept, decided by the policy)',
    'onTaskStateChange',
    taskChange((_e, d) => {
      d.stopCode = 'SomethingNew';
    }),
    { ok: { outcome: 'unknown-run' } },
  ),
  c(
    'unknown type',
    'a control request with an unknown action',
    'control',
    { action: 'delete', job: 'csv-ingest' },
    { refused: 'EVENT_INVALID', says: 'action' },
  ),
  c(
    'unknown type',
    'an alert for a status that is not alerted',
    'alert',
    { ...sample('run-failed'), 'detail-type': 'Run Succeeded' },
    { invalid: 'detail-type' },
  ),
  c('unknown type', 'a launch message of an unknown version', 'launcher', launchBatch(msg({ v: 2 })), {
    failures: ['m0'],
  }),

  // Foreign and duplicate
  c(
    'foreign',
    'a task event from another cluster',
    'onTaskStateChange',
    taskChange((_e, d) => {
      d.clusterArn = 'arn:aws:ecs:eu-west-1:123456789012:cluster/other';
    }),
    { ok: { outcome: 'foreign' } },
  ),
  c('foreign', 'a task event started by someone else', 'onTaskStateChange', sample('ecs-task-foreign'), {
    ok: { outcome: 'foreign' },
  }),
  c(
    'foreign',
    'an upload to a bucket no job watches',
    'onUpload',
    upload('a.jpg', () => undefined, 'someone-elses-bucket'),
    { ok: { runs: [] } },
  ),
  c(
    'duplicate',
    'a launch message for a run that does not exist',
    'launcher',
    launchBatch(msg({ runId: run('csv-ingest') })),
    { ok: { batchItemFailures: [] } },
  ),

  // Huge events
  c('huge', 'an S3 key of 1,025 bytes', 'onUpload', upload(`uploads/${'k'.repeat(1013)}.jpg`), {
    invalid: 'detail.object.key: at most 1024 bytes',
  }),
  c(
    'huge',
    'a classic notification key of 1,025 bytes once decoded',
    'onUpload',
    classic(`uploads/${'%C3%A9'.repeat(508)}k.jpg`),
    { invalid: 'Records[0].s3.object.key: at most 1024 bytes' },
  ),
  c('huge', 'a launch body of 300 KB', 'launcher', launchBatch(msg({ pad: 'x'.repeat(300_000) })), {
    failures: ['m0'],
  }),
  c(
    'huge',
    'an override value of 100 KB',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).environment = { BATCH_ROWS: 'x'.repeat(100_000) };
    }),
    { refused: 'OVERRIDES_TOO_LARGE', says: '8192' },
  ),
  c(
    'huge',
    'a task event with 10,000 containers',
    'onTaskStateChange',
    taskChange((_e, d) => {
      d.containers = Array.from({ length: 10_000 }, () => (d.containers as Json[])[0]);
    }),
    { ok: true },
  ),

  // Numbers that are strings, negative, NaN or enormous
  c(
    'numbers',
    'a cpu override that is a string',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).cpu = '2048';
    }),
    { refused: 'EVENT_INVALID', says: 'cpu' },
  ),
  c(
    'numbers',
    'a negative memory override',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).memory = -8192;
    }),
    { refused: 'EVENT_INVALID', says: 'memory' },
  ),
  c(
    'numbers',
    'a NaN cpu override',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).cpu = Number.NaN;
    }),
    { refused: 'EVENT_INVALID', says: 'overrides.cpu: expected number, got NaN' },
  ),
  c(
    'numbers',
    'an enormous memory override',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).memory = 1e308;
    }),
    { refused: 'EVENT_INVALID', says: 'overrides.memory: at most 122880 MiB' },
  ),
  c(
    'numbers',
    'an infinite cpu override',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).cpu = Number.POSITIVE_INFINITY;
    }),
    { refused: 'EVENT_INVALID', says: 'overrides.cpu: expected number, got Infinity' },
  ),
  c(
    'numbers',
    'a cpu no Fargate size has',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).cpu = 3000;
    }),
    { refused: 'REQUEST_REJECTED', says: 'cpu 3000 is not a Fargate cpu' },
  ),
  c('numbers', 'a launch attempt that is a string', 'launcher', launchBatch(msg({ attempt: '1' })), {
    failures: ['m0'],
  }),
  c('numbers', 'a launch attempt of 0', 'launcher', launchBatch(msg({ attempt: 0 })), { failures: ['m0'] }),
  c('numbers', 'a fractional launch attempt', 'launcher', launchBatch(msg({ attempt: 1.5 })), { failures: ['m0'] }),
  c(
    'numbers',
    'an exit code that is a string',
    'onTaskStateChange',
    taskChange((_e, d) => {
      ((d.containers as Json[])[0] as Json).exitCode = '0';
    }),
    { invalid: 'exitCode' },
  ),
  c(
    'numbers',
    'an S3 object size that is a string',
    'onUpload',
    upload('a.jpg', (e) => {
      ((e.detail as Json).object as Json).size = '12';
    }),
    { invalid: 'detail.object.size: expected number, got string' },
  ),

  // Timestamps that are not ISO 8601
  c(
    'timestamps',
    'a scheduled time that is words',
    'onSchedule',
    { ...sample('schedule-scheduler-input'), scheduledTime: 'yesterday' },
    { invalid: 'scheduledTime' },
  ),
  c(
    'timestamps',
    'a scheduled time in month 13',
    'onSchedule',
    { ...sample('schedule-scheduler-input'), scheduledTime: '2026-13-01T00:00:00Z' },
    { invalid: 'scheduledTime' },
  ),
  c(
    'timestamps',
    'a scheduled time as epoch milliseconds',
    'onSchedule',
    { ...sample('schedule-scheduler-input'), scheduledTime: 1795316043000 },
    { invalid: 'scheduledTime' },
  ),
  c(
    'timestamps',
    'a rule event whose time has no zone',
    'onSchedule',
    { ...sample('schedule-rule'), time: '2026-11-22T01:00:00' },
    { invalid: 'time' },
  ),
  c(
    'timestamps',
    'a task event whose stoppedAt is not a date',
    'onTaskStateChange',
    taskChange((_e, d) => {
      d.stoppedAt = 'soon';
    }),
    { invalid: 'stoppedAt' },
  ),
  c(
    'timestamps',
    'an alert whose createdAt is not a date',
    'alert',
    { ...sample('run-failed'), detail: { ...(sample('run-failed').detail as Json), createdAt: '22/11/2026' } },
    { invalid: 'createdAt' },
  ),

  // S3 keys (EventBridge keys arrive decoded: accepted as they are, passed as data)
  ...(
    [
      ['unicode', 'uploads/ünïcødé/猫.jpg'],
      ['spaces', 'uploads/cat on sofa.jpg'],
      ['a plus sign', 'uploads/a+b.jpg'],
      ['a percent sign', 'uploads/100%.jpg'],
      ['an encoded NUL as text', 'uploads/a%00b.jpg'],
      ['dot-dot segments', 'uploads/../../etc/passwd.jpg'],
      ['shell metacharacters', 'uploads/$(rm -rf ~);`id`|&.jpg'],
      ['exactly 1,024 bytes', `uploads/${'k'.repeat(1012)}.jpg`],
      ['a newline (a valid S3 key, passed as data)', 'uploads/a\nb.jpg'],
    ] as const
  ).map(([what, key]) =>
    c('S3 keys', `a key with ${what} (accepted, one run)`, 'onUpload', upload(key), { ok: { unmatched: 0 } }),
  ),
  c('S3 keys', 'a key with a raw NUL', 'onUpload', upload('uploads/a\u0000b.jpg'), {
    invalid: 'detail.object.key: has a control character (U+0000)',
  }),
  c('S3 keys', 'a key with an escape sequence', 'onUpload', upload('uploads/\u001b[2Jx.jpg'), {
    invalid: 'detail.object.key: has a control character (U+001B)',
  }),
  c('S3 keys', 'a classic notification key that decodes to NUL', 'onUpload', classic('uploads/a%00b.jpg'), {
    invalid: 'Records[0].s3.object.key: has a control character (U+0000)',
  }),
  c('S3 keys', 'a classic notification key that is not URL encoding', 'onUpload', classic('uploads/%E0%A4%A.jpg'), {
    invalid: 'is not valid URL encoding',
  }),
  c(
    'S3 keys',
    'a classic notification key with + for spaces (accepted)',
    'onUpload',
    classic('uploads/red+flower%2B1.jpg'),
    { ok: { unmatched: 0 } },
  ),
  c('S3 keys', 'an empty key', 'onUpload', upload(''), { invalid: 'detail.object.key' }),

  // Environment names and values that collide
  ...(['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const).map((name) =>
    c(
      'environment names',
      `an override named ${name} (not one the job accepts)`,
      'control',
      controlTrigger((r) => {
        (r.overrides as Json).environment = JSON.parse(`{"${name}":"1"}`);
      }),
      { refused: 'REQUEST_REJECTED', says: `environment.${name}` },
    ),
  ),
  ...(['S3_KEY', 'LONGSHORE_RUN_ID', 'AWS_REGION', 'SCHEDULED_TIME'] as const).map((name) =>
    c(
      'environment names',
      `an override of the reserved ${name}`,
      'control',
      controlTrigger((r) => {
        (r.overrides as Json).environment = { [name]: 'x' };
      }),
      { refused: 'EVENT_INVALID', says: `${name}: is reserved` },
    ),
  ),
  c(
    'environment names',
    "an override of the job's secret",
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).environment = { WAREHOUSE_PASSWORD: 'x' };
    }),
    { refused: 'REQUEST_REJECTED', says: 'WAREHOUSE_PASSWORD' },
  ),
  c(
    'environment names',
    'an override with an empty name',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).environment = { '': 'x' };
    }),
    { refused: 'EVENT_INVALID', says: 'environment' },
  ),
  c(
    'environment names',
    'an override named with a dash',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).environment = { 'A-B': 'x' };
    }),
    { refused: 'EVENT_INVALID', says: 'A-B' },
  ),

  // Control characters
  c(
    'control characters',
    'an override value with ESC',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).environment = { BATCH_ROWS: '1\u001b[2J' };
    }),
    { refused: 'EVENT_INVALID', says: 'BATCH_ROWS' },
  ),
  c(
    'control characters',
    'a requestedBy with a newline',
    'control',
    controlTrigger((r) => {
      r.requestedBy = 'alice\nStatus: SUCCEEDED';
    }),
    { refused: 'EVENT_INVALID', says: 'requestedBy: one line' },
  ),
  c(
    'control characters',
    'a requestedBy with a tab',
    'control',
    controlTrigger((r) => {
      r.requestedBy = 'alice\tbob';
    }),
    { refused: 'EVENT_INVALID', says: 'requestedBy: one line' },
  ),
  c(
    'control characters',
    'a client token with NUL',
    'control',
    controlTrigger((r) => {
      r.clientToken = 'a\u0000b';
    }),
    { refused: 'EVENT_INVALID', says: 'clientToken' },
  ),
  c(
    'control characters',
    'a cancel reason with a bell',
    'control',
    { action: 'cancel', runId: run('csv-ingest'), reason: 'late\u0007' },
    { refused: 'EVENT_INVALID', says: 'reason' },
  ),

  // Ids of every length
  c('ids', 'an empty run id', 'control', { action: 'retry', runId: '' }, { refused: 'EVENT_INVALID', says: 'runId' }),
  c(
    'ids',
    'a one-character run id',
    'control',
    { action: 'retry', runId: 'a' },
    { refused: 'EVENT_INVALID', says: 'runId' },
  ),
  c(
    'ids',
    'a 500-character run id',
    'control',
    { action: 'cancel', runId: `csv-ingest-${'a'.repeat(489)}` },
    { refused: 'EVENT_INVALID', says: 'runId' },
  ),
  c(
    'ids',
    'a run id with a slash',
    'control',
    { action: 'retry', runId: 'csv-ingest/../x' },
    { refused: 'EVENT_INVALID', says: 'runId' },
  ),
  c(
    'ids',
    'a well-formed run id that does not exist',
    'control',
    { action: 'retry', runId: run('csv-ingest') },
    { refused: 'RUN_NOT_FOUND', says: run('csv-ingest') },
  ),
  c(
    'ids',
    'a client token of 65 characters',
    'control',
    controlTrigger((r) => {
      r.clientToken = 'c'.repeat(65);
    }),
    { refused: 'EVENT_INVALID', says: 'clientToken' },
  ),
  c('ids', 'a launch run id of 1,000 characters', 'launcher', launchBatch(msg({ runId: 'x'.repeat(1000) })), {
    failures: ['m0'],
  }),
  c(
    'ids',
    'a job name of 300 characters',
    'control',
    { action: 'trigger', job: 'j'.repeat(300) },
    { refused: 'EVENT_INVALID', says: 'job' },
  ),

  // Overrides at and over the limits
  c(
    'override limits',
    'an override just within 8,192 characters on every attempt (accepted)',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).environment = { BATCH_ROWS: 'x'.repeat(6500) };
      r.clientToken = 'at-limit';
    }),
    { ok: { ok: true } },
  ),
  c(
    'override limits',
    'an override over 8,192 characters for a later attempt',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).environment = { BATCH_ROWS: 'x'.repeat(7900) };
    }),
    { refused: 'OVERRIDES_TOO_LARGE', says: '8192' },
  ),
  c(
    'override limits',
    'a command override on a job that accepts none',
    'control',
    controlTrigger((r) => {
      (r.overrides as Json).command = ['sh', '-c', 'env'];
    }),
    { refused: 'REQUEST_REJECTED', says: 'command' },
  ),

  // Unknown jobs and jobs without the trigger used
  c(
    'unknown job',
    'a trigger for a job that does not exist',
    'control',
    { action: 'trigger', job: 'payroll' },
    { refused: 'JOB_UNKNOWN', says: 'payroll' },
  ),
  c(
    'unknown job',
    'a trigger for a job named like an object key',
    'control',
    { action: 'trigger', job: 'constructor' },
    { refused: 'JOB_UNKNOWN', says: 'constructor' },
  ),
  c(
    'unknown job',
    'a scheduler input for a job that does not exist',
    'onSchedule',
    { ...sample('schedule-scheduler-input'), job: 'payroll' },
    { error: 'UnknownJobError', says: "Unknown job 'payroll'" },
  ),
  c(
    'unknown job',
    'a scheduler input for a trigger the job does not have',
    'onSchedule',
    { ...sample('schedule-scheduler-input'), trigger: 7 },
    { error: 'RequestRejectedError', says: 'no schedule trigger #7' },
  ),
  c(
    'unknown job',
    'a rule event for a rule that is not ours',
    'onSchedule',
    { ...sample('schedule-rule'), resources: ['arn:aws:events:eu-west-1:123456789012:rule/someone-else'] },
    { invalid: "is not a longshore schedule of stage 'dev'" },
  ),

  // Event triggers (onEvent): the delivery's shape at the edge; what the trigger takes, in the use case.
  c(
    'event trigger',
    'a delivery without the wrapped event',
    'onEvent',
    { longshore: 'event', job: 'order-fulfilment', trigger: 0 },
    {
      invalid: 'event',
    },
  ),
  c('event trigger', 'an event as the bus holds it, not as the rule delivers it', 'onEvent', sample('order-placed'), {
    invalid: 'longshore',
  }),
  c(
    'event trigger',
    'a delivery for a job named __proto__',
    'onEvent',
    { ...orderDelivery(), job: '__proto__' },
    {
      invalid: 'job',
    },
  ),
  c(
    'event trigger',
    'a delivery for a trigger the job does not have',
    'onEvent',
    { ...orderDelivery(), trigger: 7 },
    {
      error: 'RequestRejectedError',
      says: 'no event trigger #7',
    },
  ),
  c(
    'event trigger',
    'an event without the identity path',
    'onEvent',
    orderDelivery((_e, d) => {
      delete d.orderId;
    }),
    { error: 'RequestRejectedError', says: 'identity: $.detail.orderId is not in the event' },
  ),
  c(
    'event trigger',
    'an event whose value is null',
    'onEvent',
    orderDelivery((_e, d) => {
      d.total = null;
    }),
    { error: 'RequestRejectedError', says: 'ORDER_TOTAL: $.detail.total is null in the event' },
  ),
  c(
    'event trigger',
    'an event with an oversized value',
    'onEvent',
    orderDelivery((_e, d) => {
      d.items = [{ sku: 'X'.repeat(5000) }];
    }),
    {
      error: 'RequestRejectedError',
      says: 'FIRST_SKU: the value at $.detail.items[0].sku is 5000 characters; at most 4096',
    },
  ),
  c(
    'event trigger',
    'an event whose value holds an escape sequence',
    'onEvent',
    orderDelivery((_e, d) => {
      d.orderId = 'o-1\u001b[2J';
    }),
    { error: 'RequestRejectedError', says: 'holds a control character (U+001B)' },
  ),
  c(
    'event trigger',
    'an event whose item is an object where a string was expected (passed as JSON)',
    'onEvent',
    orderDelivery((_e, d) => {
      d.items = [{ sku: JSON.parse('{"__proto__":{"admin":true},"code":"A"}') }];
    }),
    { ok: { job: 'order-fulfilment', created: true } },
  ),
  // Sqs triggers (onMessage): each message on its own; the ones that cannot become runs are reported.
  c('sqs trigger', 'a batch without records', 'onMessage', { Records: [] }, { invalid: 'Records' }),
  c('sqs trigger', 'a body that is not JSON', 'onMessage', resendBatch(['order 44 please']), { failures: ['q0'] }),
  c('sqs trigger', 'a body that is JSON null', 'onMessage', resendBatch(['null']), { failures: ['q0'] }),
  c('sqs trigger', 'a body without the identity path', 'onMessage', resendBatch([body({ total: 1 })]), {
    failures: ['q0'],
  }),
  c(
    'sqs trigger',
    'a message from a queue no trigger reads',
    'onMessage',
    resendBatch([body({ orderId: 'o-9', total: 1, items: [{ sku: 'A' }] })], (r) => {
      r.eventSourceARN = 'arn:aws:sqs:eu-west-1:123456789012:someone-else';
    }),
    { failures: ['q0'] },
  ),
  c(
    'sqs trigger',
    'a record without its queue',
    'onMessage',
    resendBatch([body({ orderId: 'o-9', total: 1, items: [{ sku: 'A' }] })], (r) => {
      delete r.eventSourceARN;
    }),
    { failures: ['q0'] },
  ),
  c(
    'sqs trigger',
    'one bad message among good ones: only it is reported',
    'onMessage',
    resendBatch([
      body({ orderId: 'o-hostile-1', total: 1, items: [{ sku: 'A' }] }),
      '{"orderId":',
      body({ orderId: 'o-hostile-2', total: 2, items: [{ sku: 'B' }] }),
    ]),
    { failures: ['q1'] },
  ),

  // The sweeper reads nothing from its event (it sweeps the whole table): any event is a sweep.
  c('foreign', 'a sweeper event that is null (a sweep, nothing else)', 'sweeper', null, { ok: true }),
  c('foreign', 'a sweeper event from another source (a sweep, nothing else)', 'sweeper', upload('a.jpg'), { ok: true }),
];
