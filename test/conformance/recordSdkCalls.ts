/**
 * Records the input of every AWS SDK call the unit and integration tests make, for
 * `sdkCalls.conformance.test.ts` to check against the services' API models after the suites ran.
 * A setup file of both projects; one JSON line per call in `$LONGSHORE_SDK_CALLS_DIR/<pid>.jsonl`.
 *
 * Two seams, because a mocked client never reaches the SDK's middleware:
 * - mocked clients: aws-sdk-client-mock replaces `send` with a sinon stub (`sinon.stub(proto,
 *   'send')`). We wrap sinon's `stub` (the copy aws-sdk-client-mock requires) so every `send` stub is
 *   tracked, and read each stub's call history before it is reset or restored, and after each test.
 * - real clients (DynamoDB Local in the integration tests): `Client.prototype.send` of
 *   `@smithy/core/client` adds, once per client, a build-step middleware that records the input the
 *   SDK serializes (for the document client, after marshalling).
 */
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, afterEach, expect } from 'vitest';

export interface RecordedCall {
  /** Client class without "Client": ECS, DynamoDB, SQS, ... (the document client counts as DynamoDB). */
  client: string;
  /** Operation name: RunTask, PutItem, ... */
  operation: string;
  input: unknown;
  /** mocked (aws-sdk-client-mock) or real (went through the SDK, e.g. to DynamoDB Local). */
  via: 'mocked' | 'real';
  file: string;
  test: string;
}

interface TrackedStub {
  (...args: unknown[]): unknown;
  getCalls(): { args: unknown[] }[];
  restore?: (...a: unknown[]) => unknown;
  resetHistory?: (...a: unknown[]) => unknown;
  reset?: (...a: unknown[]) => unknown;
}
interface Recorder {
  pending: RecordedCall[];
  stubs: Map<TrackedStub, { owner: object; harvested: number }>;
  middlewareStacks: WeakSet<object>;
}

const STATE = Symbol.for('longshore.sdkCallRecorder');
const holder = globalThis as { [STATE]?: Recorder };
const first = holder[STATE] === undefined;
holder[STATE] ??= { pending: [], stubs: new Map(), middlewareStacks: new WeakSet() };
const recorder = holder[STATE];

/** DynamoDB document-client commands and the operation (and item fields) they send. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  PutCommand: 'PutItem',
  GetCommand: 'GetItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactGetCommand: 'TransactGetItems',
  TransactWriteCommand: 'TransactWriteItems',
};
const MARSHALLED = new Set(['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey']);
const marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: true };

/** A document-client input as the low-level operation receives it. */
const marshallDocument = (v: unknown, key = ''): unknown => {
  if (MARSHALLED.has(key) && v !== null && typeof v === 'object' && !Array.isArray(v))
    return marshall(v as Record<string, unknown>, marshallOptions);
  // BatchGetItem's `Keys`: a list of keys, each marshalled like `Key`.
  if (Array.isArray(v)) return v.map((x) => (key === 'Keys' ? marshallDocument(x, 'Key') : marshallDocument(x)));
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, marshallDocument(x, k)]));
  return v;
};

/** JSON-safe: blobs become { $blob: bytes }, dates ISO strings, sets lists. */
const jsonSafe = (v: unknown): unknown => {
  if (v instanceof Uint8Array) return { $blob: v.byteLength };
  if (v instanceof Date) return { $timestamp: v.toISOString() };
  if (v instanceof Set) return [...v].map(jsonSafe);
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, jsonSafe(x)]),
    );
  return v;
};

const where = (): { file: string; test: string } => {
  const state = expect.getState();
  return { file: state.testPath ?? '?', test: state.currentTestName ?? '(hook)' };
};

const record = (client: string, commandName: string, input: unknown, via: RecordedCall['via']): void => {
  const document = DOCUMENT_COMMANDS[commandName];
  const operation = document ?? commandName.replace(/Command$/, '');
  recorder.pending.push({
    client: client.replace(/DocumentClient$|Client$/, ''),
    operation,
    input: jsonSafe(document && via === 'mocked' ? marshallDocument(input) : input),
    via,
    ...where(),
  });
};

const harvest = (stub: TrackedStub): void => {
  const entry = recorder.stubs.get(stub);
  if (!entry) return;
  const calls = stub.getCalls();
  for (const call of calls.slice(entry.harvested)) {
    const command = call.args[0] as { constructor: { name: string }; input?: unknown } | undefined;
    if (!command?.constructor) continue;
    record(entry.owner.constructor.name, command.constructor.name, command.input, 'mocked');
  }
  entry.harvested = calls.length;
};

const track = (stub: TrackedStub, owner: object): void => {
  recorder.stubs.set(stub, { owner, harvested: 0 });
  for (const method of ['restore', 'resetHistory', 'reset'] as const) {
    const original = stub[method];
    if (typeof original !== 'function') continue;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      harvest(stub);
      const entry = recorder.stubs.get(stub);
      if (method === 'restore') recorder.stubs.delete(stub);
      else if (entry) entry.harvested = 0;
      return original.apply(this, args);
    };
    // sinon marks its restore functions (`restore.sinon`): keep the marks.
    Object.assign(wrapped, original);
    stub[method] = wrapped;
  }
};

if (first) {
  // The sinon aws-sdk-client-mock loads (CommonJS), not the ESM build a bare import would give us.
  const requireFromMock = createRequire(createRequire(import.meta.url).resolve('aws-sdk-client-mock'));
  const sinon = requireFromMock('sinon') as { stub: (...a: unknown[]) => unknown };
  const originalStub = sinon.stub;
  const stub = function (this: unknown, ...args: unknown[]) {
    const created = originalStub.apply(this, args);
    if (args[1] === 'send' && typeof args[0] === 'object' && args[0] !== null)
      track(created as TrackedStub, args[0] as object);
    return created;
  };
  Object.assign(stub, originalStub);
  sinon.stub = stub;

  const { Client } = createRequire(import.meta.url)('@smithy/core/client') as {
    Client: { prototype: { send: (this: ClientLike, ...a: unknown[]) => unknown } };
  };
  interface ClientLike {
    middlewareStack: { add: (mw: unknown, opts: Record<string, unknown>) => void };
    constructor: { name: string };
  }
  const originalSend = Client.prototype.send;
  Client.prototype.send = function (this: ClientLike, ...args: unknown[]) {
    if (!recorder.middlewareStacks.has(this.middlewareStack)) {
      recorder.middlewareStacks.add(this.middlewareStack);
      const clientName = this.constructor.name;
      this.middlewareStack.add(
        (next: (a: unknown) => unknown, context: { commandName?: string }) => async (a: { input: unknown }) => {
          record(clientName, context.commandName ?? '?', a.input, 'real');
          return next(a);
        },
        { step: 'build', priority: 'high', name: 'longshoreSdkCallRecorder', override: true },
      );
    }
    return originalSend.apply(this, args);
  };
}

const flush = (): void => {
  for (const stub of recorder.stubs.keys()) harvest(stub);
  const dir = process.env.LONGSHORE_SDK_CALLS_DIR;
  if (!dir || recorder.pending.length === 0) {
    recorder.pending.length = 0;
    return;
  }
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${recorder.pending.map((c) => JSON.stringify(c)).join('\n')}\n`);
  recorder.pending.length = 0;
};

afterEach(() => {
  for (const stub of recorder.stubs.keys()) harvest(stub);
});
afterAll(flush);
