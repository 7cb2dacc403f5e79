/**
 * One local HTTP endpoint that answers like AWS, in each service's wire protocol, so the deployed
 * bundles run their whole SDK stack (marshalling, SigV4 signing, HTTP, parsing) against it:
 * - DynamoDB (JSON 1.0): proxied to DynamoDB Local, every exchange optionally recorded, and
 *   optionally measured in request units from the items before and after each write;
 * - ECS (JSON 1.1, `AmazonEC2ContainerServiceV20141113.*`): RunTask, StopTask, DescribeTasks,
 *   ListTasks, answered by `simulatedEcs.ts`;
 * - SQS (JSON 1.0 with query compatibility, `AmazonSQS.*`, as @aws-sdk/client-sqs 3.1169 sends it):
 *   SendMessage, SendMessageBatch, with the MD5 of each body the SDK checks;
 * - EventBridge (JSON 1.1, `AWSEvents.PutEvents`);
 * - SNS (query protocol: form-encoded `Action=Publish`, XML answer);
 * - Secrets Manager (JSON 1.1, `secretsmanager.GetSecretValue`).
 * The handlers reach it through `AWS_ENDPOINT_URL_<SERVICE>` (the SDK's service-specific endpoint
 * variables). A replay mode answers a recorded trace instead, so a floor can send the same requests
 * and get byte-identical answers.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type IndexDef, type Item, itemSize, readUnits, writeUnits } from './ddbCapacity.ts';
import { EcsApiError, type SimulatedEcs } from './simulatedEcs.ts';

export type Service = 'dynamodb' | 'ecs' | 'sqs' | 'events' | 'sns' | 'secretsmanager' | 'logs';

export interface Exchange {
  service: Service;
  op: string;
  request: string;
  status: number;
  headers: Record<string, string>;
  response: string;
  /** Sent by the bench harness (setup between measured events), not by the code measured. */
  harness?: boolean;
  /** DynamoDB request units (capacity mode). */
  units?: { read: number; write: number; indexWrites: Record<string, number> };
}

export interface SqsMessage {
  queueUrl: string;
  body: string;
  delaySeconds: number;
  messageId: string;
}

export interface PutEventsEntry {
  EventBusName?: string;
  Source: string;
  DetailType: string;
  Detail: string;
  Resources?: string[];
}

export interface LocalAwsOptions {
  /** DynamoDB Local, for the proxy. */
  dynamoEndpoint?: string;
  ecs?: SimulatedEcs;
  now: () => number;
  /** A simulated delay before answering (virtual time), or none. */
  delay?: (service: Service, op: string, answer: () => void) => void;
  /** Marks real work for a virtual clock (the proxy's own reads of items). */
  record?: boolean;
  /** Request units from item images: the proxy reads each written item before and after the write. */
  capacity?: boolean;
  onSqs?: (messages: SqsMessage[]) => void;
  onPutEvents?: (entries: PutEventsEntry[]) => void;
  onPublish?: (input: Record<string, string>) => void;
  secrets?: Record<string, string>;
}

const TARGETS: [string, Service][] = [
  ['DynamoDB_20120810.', 'dynamodb'],
  ['AmazonEC2ContainerServiceV20141113.', 'ecs'],
  ['AmazonSQS.', 'sqs'],
  ['AWSEvents.', 'events'],
  ['secretsmanager.', 'secretsmanager'],
  ['Logs_20140328.', 'logs'],
];

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Parses a recorded SNS query body back into the Publish input (for the floor's replay). */
export const parseSnsPublish = (body: string): Record<string, unknown> => {
  const p = new URLSearchParams(body);
  const attributes: Record<string, { DataType: string; StringValue: string }> = {};
  for (let i = 1; p.has(`MessageAttributes.entry.${i}.Name`); i++) {
    attributes[p.get(`MessageAttributes.entry.${i}.Name`) as string] = {
      DataType: p.get(`MessageAttributes.entry.${i}.Value.DataType`) ?? 'String',
      StringValue: p.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '',
    };
  }
  return {
    TopicArn: p.get('TopicArn'),
    ...(p.has('Subject') ? { Subject: p.get('Subject') } : {}),
    Message: p.get('Message'),
    ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
  };
};

/** Compares two requests of one operation as DynamoDB/ECS/... would read them (JSON or form). */
export const sameRequest = (service: Service, a: string, b: string): boolean => {
  const norm = (s: string): unknown => {
    if (service === 'sns') return [...new URLSearchParams(s).entries()].sort();
    const sortSets = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(sortSets);
      if (v && typeof v === 'object') {
        return Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .sort(([x], [y]) => (x < y ? -1 : 1))
            .map(([k, e]) => [k, k === 'SS' || k === 'NS' ? [...(e as string[])].sort() : sortSets(e)]),
        );
      }
      return v;
    };
    return sortSets(JSON.parse(s));
  };
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
};

export const startLocalAws = async (opts: LocalAwsOptions) => {
  const traces = new Map<string, Exchange[][]>();
  let current: { who: string; event: number } | undefined;
  let replay: { events: Exchange[][]; event: number; index: number; mismatches: string[] } | undefined;
  const counts = new Map<string, number>();
  const sqsMessages: SqsMessage[] = [];
  const putEvents: PutEventsEntry[] = [];
  const published: Record<string, string>[] = [];
  let indexes: IndexDef[] | undefined;
  const units = {
    read: 0,
    write: 0,
    indexWrites: 0,
    byOp: new Map<string, { read: number; write: number; index: number; n: number }>(),
  };

  const record = (x: Exchange) => {
    counts.set(`${x.service}:${x.op}`, (counts.get(`${x.service}:${x.op}`) ?? 0) + 1);
    if (!opts.record || !current) return;
    const events = traces.get(current.who) ?? [];
    traces.set(current.who, events);
    const list = events[current.event] ?? [];
    events[current.event] = list;
    list.push(x);
  };

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: string) => {
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  };

  const answer = (service: Service, op: string, fn: () => void) => {
    if (opts.delay) opts.delay(service, op, fn);
    else fn();
  };

  /** A raw DynamoDB call to DynamoDB Local with the caller's credentials (its tables are per access key and Region). */
  const dynamo = (
    target: string,
    body: string,
    auth: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> =>
    new Promise((resolve, reject) => {
      const url = new URL(opts.dynamoEndpoint as string);
      const r = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': target,
            authorization: auth,
            'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d+/g, ''),
            'content-length': String(Buffer.byteLength(body)),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
            resolve({ status: res.statusCode ?? 500, headers, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      r.on('error', reject);
      r.end(body);
    });

  const loadIndexes = async (table: string, auth: string): Promise<IndexDef[]> => {
    if (indexes) return indexes;
    const out = await dynamo('DynamoDB_20120810.DescribeTable', JSON.stringify({ TableName: table }), auth);
    const t = JSON.parse(out.body).Table as {
      KeySchema: { AttributeName: string }[];
      GlobalSecondaryIndexes?: {
        IndexName: string;
        KeySchema: { AttributeName: string }[];
        Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
      }[];
    };
    indexes = (t.GlobalSecondaryIndexes ?? []).map((g) => ({
      name: g.IndexName,
      keys: g.KeySchema.map((k) => k.AttributeName),
      projection: g.Projection.ProjectionType,
      ...(g.Projection.NonKeyAttributes ? { include: g.Projection.NonKeyAttributes } : {}),
      tableKeys: t.KeySchema.map((k) => k.AttributeName),
    }));
    return indexes;
  };

  const getImage = async (table: string, key: Item, auth: string): Promise<Item | undefined> => {
    const out = await dynamo(
      'DynamoDB_20120810.GetItem',
      JSON.stringify({ TableName: table, Key: key, ConsistentRead: true }),
      auth,
    );
    return (JSON.parse(out.body) as { Item?: Item }).Item;
  };

  const measure = async (
    op: string,
    input: Record<string, unknown>,
    auth: string,
    forward: () => Promise<{ status: number; headers: Record<string, string>; body: string }>,
  ) => {
    const table = String(input.TableName);
    const writes = op === 'PutItem' || op === 'UpdateItem' || op === 'DeleteItem';
    let key: Item | undefined;
    let before: Item | undefined;
    if (writes) {
      const idx = await loadIndexes(table, auth);
      const tableKeys = idx[0]?.tableKeys ?? ['pk', 'sk'];
      key =
        (input.Key as Item | undefined) ??
        Object.fromEntries(tableKeys.map((k) => [k, (input.Item as Item)[k] as Item[string]]));
      before = await getImage(table, key, auth);
    }
    const out = await forward();
    const parsed = JSON.parse(out.body || '{}') as Record<string, unknown>;
    let read = 0;
    let write = 0;
    let indexWrites: Record<string, number> = {};
    if (writes && key) {
      const ok = out.status === 200;
      if (ok) {
        const after = await getImage(table, key, auth);
        const w = writeUnits(op as 'PutItem', before, after, await loadIndexes(table, auth));
        write = w.table;
        indexWrites = w.indexes;
      } else if (String(parsed.__type ?? '').includes('ConditionalCheckFailed')) {
        // A failed condition costs the larger of the item there and the item attempted (at least 1 KB).
        write = Math.max(1, Math.ceil(Math.max(itemSize(before), itemSize(input.Item as Item | undefined)) / 1024));
      }
    } else if (op === 'GetItem') {
      read = readUnits(itemSize(parsed.Item as Item | undefined), input.ConsistentRead === true);
    } else if (op === 'Query') {
      const items = (parsed.Items as Item[] | undefined) ?? [];
      read = readUnits(
        items.reduce((a, i) => a + itemSize(i), 0),
        input.ConsistentRead === true,
      );
    }
    const w = Object.values(indexWrites).reduce((a, b) => a + b, 0);
    // BENCH_TRACE_DDB=1: every request on stderr (which item, its size, its units), to list what a run costs.
    if (process.env.BENCH_TRACE_DDB)
      process.stderr.write(
        `ddb ${op} ${JSON.stringify(key ?? input.Key ?? input.KeyConditionExpression ?? '')} ${out.status} ` +
          `bytes ${itemSize(before)}->${writes && key ? itemSize(await getImage(table, key, auth)) : '-'} ` +
          `rru ${read} wru ${write} index ${w}\n`,
      );
    units.read += read;
    units.write += write + w;
    units.indexWrites += w;
    const s = units.byOp.get(op) ?? { read: 0, write: 0, index: 0, n: 0 };
    s.read += read;
    s.write += write;
    s.index += w;
    s.n++;
    units.byOp.set(op, s);
    return { out, units: { read, write, indexWrites } };
  };

  const jsonError = (version: '1.0' | '1.1', type: string, message: string, extra: Record<string, unknown> = {}) => ({
    status: 400,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ __type: type, message, ...extra }),
  });
  const jsonOk = (version: '1.0' | '1.1', value: unknown) => ({
    status: 200,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(value),
  });

  const handleService = async (
    service: Service,
    op: string,
    body: string,
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body: string; units?: Exchange['units'] }> => {
    switch (service) {
      case 'dynamodb': {
        if (!opts.dynamoEndpoint) return jsonError('1.0', 'UnknownOperationException', 'no DynamoDB here');
        const auth = String(req.headers.authorization ?? '');
        const forward = () => dynamo(`DynamoDB_20120810.${op}`, body, auth);
        if (opts.capacity) {
          const m = await measure(op, JSON.parse(body), auth, forward);
          return { ...m.out, units: m.units };
        }
        return forward();
      }
      case 'ecs': {
        if (!opts.ecs) return jsonError('1.1', 'UnknownOperationException', 'no ECS here');
        try {
          return jsonOk('1.1', opts.ecs.call(op, JSON.parse(body)));
        } catch (e) {
          if (e instanceof EcsApiError) return jsonError('1.1', e.type, e.message, e.extra);
          throw e;
        }
      }
      case 'sqs': {
        const input = JSON.parse(body) as {
          QueueUrl: string;
          Entries?: { Id: string; MessageBody: string; DelaySeconds?: number }[];
          MessageBody?: string;
          DelaySeconds?: number;
        };
        const entries =
          op === 'SendMessageBatch'
            ? (input.Entries ?? [])
            : op === 'SendMessage'
              ? [{ Id: '-', MessageBody: input.MessageBody ?? '', DelaySeconds: input.DelaySeconds }]
              : undefined;
        if (!entries) return jsonError('1.0', 'com.amazonaws.sqs#UnsupportedOperation', `SQS ${op} is not simulated`);
        const messages = entries.map((e) => ({
          queueUrl: input.QueueUrl,
          body: e.MessageBody,
          delaySeconds: e.DelaySeconds ?? 0,
          messageId: randomUUID(),
        }));
        sqsMessages.push(...messages);
        opts.onSqs?.(messages);
        if (op === 'SendMessage')
          return jsonOk('1.0', {
            MessageId: messages[0]?.messageId,
            MD5OfMessageBody: md5(entries[0]?.MessageBody ?? ''),
          });
        return jsonOk('1.0', {
          Successful: entries.map((e, i) => ({
            Id: e.Id,
            MessageId: messages[i]?.messageId,
            MD5OfMessageBody: md5(e.MessageBody),
          })),
          Failed: [],
        });
      }
      case 'events': {
        if (op !== 'PutEvents')
          return jsonError('1.1', 'UnknownOperationException', `EventBridge ${op} is not simulated`);
        const entries = (JSON.parse(body) as { Entries: PutEventsEntry[] }).Entries;
        putEvents.push(...entries);
        opts.onPutEvents?.(entries);
        return jsonOk('1.1', { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) });
      }
      case 'secretsmanager': {
        const id = (JSON.parse(body) as { SecretId: string }).SecretId;
        const value = opts.secrets?.[id];
        if (value === undefined) return jsonError('1.1', 'ResourceNotFoundException', `no secret ${id}`);
        return jsonOk('1.1', {
          ARN: id,
          Name: id,
          SecretString: value,
          VersionId: 'v1',
          VersionStages: ['AWSCURRENT'],
        });
      }
      case 'logs': {
        // The alert quotes the deciding container's last lines (GetLogEvents, JSON 1.1): a few lines.
        if (op !== 'GetLogEvents')
          return jsonError('1.1', 'UnknownOperationException', `CloudWatch Logs ${op} is not simulated`);
        const now = Date.now();
        return jsonOk('1.1', {
          events: [1, 2, 3].map((n) => ({ timestamp: now - n * 1000, message: `line ${n}`, ingestionTime: now })),
          nextForwardToken: 'f/1',
          nextBackwardToken: 'b/1',
        });
      }
      case 'sns': {
        const p = Object.fromEntries(new URLSearchParams(body).entries());
        if (p.Action !== 'Publish')
          return { status: 400, headers: { 'content-type': 'text/xml' }, body: '<ErrorResponse/>' };
        published.push(p);
        opts.onPublish?.(p);
        const id = randomUUID();
        return {
          status: 200,
          headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id },
          body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${xmlEscape(id)}</MessageId></PublishResult><ResponseMetadata><RequestId>${xmlEscape(id)}</RequestId></ResponseMetadata></PublishResponse>`,
        };
      }
    }
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      if (url.pathname === '/__bench/mark') {
        const who = url.searchParams.get('who') ?? '?';
        const event = Number(url.searchParams.get('event'));
        current = { who, event };
        if (replay) {
          replay.event = event;
          replay.index = 0;
        }
        await readBody(req);
        return send(res, 200, { 'content-type': 'text/plain' }, 'ok');
      }
      const body = await readBody(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      const match = TARGETS.find(([prefix]) => target.startsWith(prefix));
      const service: Service | undefined = match
        ? match[1]
        : new URLSearchParams(body).get('Action') === 'Publish'
          ? 'sns'
          : undefined;
      if (!service) return send(res, 400, { 'content-type': 'text/plain' }, `unknown request ${target}`);
      const op = match ? target.slice(match[0].length) : 'Publish';
      const harness = req.headers['x-bench-harness'] === '1';

      if (replay && !harness) {
        const events = replay.events[replay.event] ?? [];
        let expected = events[replay.index++];
        while (expected?.harness) expected = events[replay.index++];
        if (
          !expected ||
          expected.service !== service ||
          expected.op !== op ||
          !sameRequest(service, expected.request, body)
        ) {
          replay.mismatches.push(
            `event ${replay.event} request ${replay.index}: got ${service}:${op}, expected ${expected ? `${expected.service}:${expected.op}` : 'nothing'}`,
          );
          return send(res, 400, { 'content-type': 'application/x-amz-json-1.0' }, '{"__type":"BenchReplayMismatch"}');
        }
        counts.set(`${service}:${op}`, (counts.get(`${service}:${op}`) ?? 0) + 1);
        return send(res, expected.status, expected.headers, expected.response);
      }

      const out = await handleService(service, op, body, req);
      record({
        service,
        op,
        request: body,
        status: out.status,
        headers: out.headers,
        response: out.body,
        ...(harness ? { harness } : {}),
        ...(out.units ? { units: out.units } : {}),
      });
      answer(service, op, () => send(res, out.status, out.headers, out.body));
    } catch (e) {
      send(res, 500, { 'content-type': 'text/plain' }, String((e as Error).stack ?? e));
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    /** The SDK's service-specific endpoint variables, all pointing here. */
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ENDPOINT_URL_ECS: endpoint,
      AWS_ENDPOINT_URL_SQS: endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
      AWS_ENDPOINT_URL_SNS: endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
    },
    traces,
    counts,
    sqsMessages,
    putEvents,
    published,
    units,
    /** Starts recording the requests of `who`'s event `event` (what the marker request does). */
    mark: (who: string, event: number) => {
      current = { who, event };
    },
    /** Answers the next requests from a recorded trace (markers move it to an event). */
    startReplay: (events: Exchange[][]) => {
      replay = { events, event: 0, index: 0, mismatches: [] };
      return replay;
    },
    stopReplay: () => {
      const r = replay;
      replay = undefined;
      return r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export type LocalAws = Awaited<ReturnType<typeof startLocalAws>>;
