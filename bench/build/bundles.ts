/**
 * Bundles built the way serverless-esbuild built the deployed ones (same options, read from the
 * package): each handler again with a metafile (and checked byte-identical to the deployed bundle),
 * a readable variant for CPU profiles, and each function's FLOOR: a handler that imports only the
 * SDK clients and commands for what the function's role allows it to call, and calls them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { ROOT, WORK } from '../production.ts';
import { esbuildOptionsFor, type Packaged, type PackagedFunction } from './package.ts';

/** The SDK command each IAM action is called with (actions with none are not calls: iam:PassRole, kms:*, ...). */
export const ACTION_COMMANDS: Record<string, { service: string; command: string; op: string }> = {
  'dynamodb:GetItem': { service: 'dynamodb', command: 'GetCommand', op: 'GetItem' },
  'dynamodb:PutItem': { service: 'dynamodb', command: 'PutCommand', op: 'PutItem' },
  'dynamodb:UpdateItem': { service: 'dynamodb', command: 'UpdateCommand', op: 'UpdateItem' },
  'dynamodb:DeleteItem': { service: 'dynamodb', command: 'DeleteCommand', op: 'DeleteItem' },
  'dynamodb:Query': { service: 'dynamodb', command: 'QueryCommand', op: 'Query' },
  'dynamodb:BatchGetItem': { service: 'dynamodb', command: 'BatchGetCommand', op: 'BatchGetItem' },
  // sqs:SendMessage is also the permission SendMessageBatch needs, which the launch queue adapter uses.
  'sqs:SendMessage': { service: 'sqs', command: 'SendMessageBatchCommand', op: 'SendMessageBatch' },
  'ecs:RunTask': { service: 'ecs', command: 'RunTaskCommand', op: 'RunTask' },
  'ecs:StopTask': { service: 'ecs', command: 'StopTaskCommand', op: 'StopTask' },
  'ecs:DescribeTasks': { service: 'ecs', command: 'DescribeTasksCommand', op: 'DescribeTasks' },
  'ecs:ListTasks': { service: 'ecs', command: 'ListTasksCommand', op: 'ListTasks' },
  // A run on another image (issue 13): the launcher registers and reads task definitions, the
  // sweeper lists and deregisters the derived ones (ecs:TagResource is the tags on register: no call).
  'ecs:ListTaskDefinitionFamilies': {
    service: 'ecs',
    command: 'ListTaskDefinitionFamiliesCommand',
    op: 'ListTaskDefinitionFamilies',
  },
  'ecs:ListTaskDefinitions': { service: 'ecs', command: 'ListTaskDefinitionsCommand', op: 'ListTaskDefinitions' },
  'ecs:DescribeTaskDefinition': {
    service: 'ecs',
    command: 'DescribeTaskDefinitionCommand',
    op: 'DescribeTaskDefinition',
  },
  'ecs:RegisterTaskDefinition': {
    service: 'ecs',
    command: 'RegisterTaskDefinitionCommand',
    op: 'RegisterTaskDefinition',
  },
  'ecs:DeregisterTaskDefinition': {
    service: 'ecs',
    command: 'DeregisterTaskDefinitionCommand',
    op: 'DeregisterTaskDefinition',
  },
  'events:PutEvents': { service: 'events', command: 'PutEventsCommand', op: 'PutEvents' },
  'sns:Publish': { service: 'sns', command: 'PublishCommand', op: 'Publish' },
  'secretsmanager:GetSecretValue': {
    service: 'secretsmanager',
    command: 'GetSecretValueCommand',
    op: 'GetSecretValue',
  },
  'logs:GetLogEvents': { service: 'logs', command: 'GetLogEventsCommand', op: 'GetLogEvents' },
  // Pause and resume (issue 13): control reads and updates the job's schedules.
  'scheduler:GetSchedule': { service: 'scheduler', command: 'GetScheduleCommand', op: 'GetSchedule' },
  'scheduler:UpdateSchedule': { service: 'scheduler', command: 'UpdateScheduleCommand', op: 'UpdateSchedule' },
  // Batch manifests (issue 14): the functions that close batches write them, when the catalog has one.
  's3:PutObject': { service: 's3', command: 'PutObjectCommand', op: 'PutObject' },
  's3:GetObject': { service: 's3', command: 'GetObjectCommand', op: 'GetObject' },
  's3:ListBucket': { service: 's3', command: 'ListObjectsV2Command', op: 'ListObjectsV2' },
};

const CLIENTS: Record<string, { pkg: string; client: string; make: string }> = {
  dynamodb: {
    pkg: '@aws-sdk/lib-dynamodb',
    client: 'DynamoDBDocumentClient',
    // The same document-client marshalling the functions' adapter uses.
    make: 'DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } })',
  },
  sqs: { pkg: '@aws-sdk/client-sqs', client: 'SQSClient', make: 'new SQSClient({})' },
  ecs: { pkg: '@aws-sdk/client-ecs', client: 'ECSClient', make: 'new ECSClient({})' },
  events: { pkg: '@aws-sdk/client-eventbridge', client: 'EventBridgeClient', make: 'new EventBridgeClient({})' },
  sns: { pkg: '@aws-sdk/client-sns', client: 'SNSClient', make: 'new SNSClient({})' },
  secretsmanager: {
    pkg: '@aws-sdk/client-secrets-manager',
    client: 'SecretsManagerClient',
    make: 'new SecretsManagerClient({})',
  },
  scheduler: { pkg: '@aws-sdk/client-scheduler', client: 'SchedulerClient', make: 'new SchedulerClient({})' },
  s3: { pkg: '@aws-sdk/client-s3', client: 'S3Client', make: 'new S3Client({})' },
  logs: {
    pkg: '@aws-sdk/client-cloudwatch-logs',
    client: 'CloudWatchLogsClient',
    make: 'new CloudWatchLogsClient({})',
  },
};

/** What a floor can send: `service:op` names. */
export const floorOperations = (fn: PackagedFunction): string[] =>
  fn.actions.flatMap((a) => {
    const c = ACTION_COMMANDS[a];
    return c ? [`${c.service}:${c.op}`] : [];
  });

export const floorSource = (fn: PackagedFunction): string => {
  const byService = new Map<string, { command: string; op: string }[]>();
  for (const a of fn.actions) {
    const c = ACTION_COMMANDS[a];
    if (c) byService.set(c.service, [...(byService.get(c.service) ?? []), c]);
  }
  const imports: string[] = [];
  const clients: string[] = [];
  const commands: string[] = [];
  for (const [service, cmds] of [...byService.entries()].sort()) {
    const c = CLIENTS[service] as (typeof CLIENTS)[string];
    if (service === 'dynamodb') imports.push("import { DynamoDBClient } from '@aws-sdk/client-dynamodb';");
    imports.push(`import { ${[c.client, ...cmds.map((x) => x.command)].join(', ')} } from '${c.pkg}';`);
    clients.push(`  ${service}: ${c.make},`);
    for (const x of cmds) commands.push(`  '${service}:${x.op}': ${x.command},`);
  }
  return `// Generated by bench/build/bundles.ts: the floor of ${fn.key} (SDK clients for ${fn.actions.join(', ')}).
${imports.join('\n')}

const clients = {
${clients.join('\n')}
};
const commands = {
${commands.join('\n')}
};

/** Sends one request through the bare client: { service, op, input }. */
export const send = (call) => clients[call.service].send(new commands[\`\${call.service}:\${call.op}\`](call.input));

/** The floor handler: each call of the event, in order (a cold start calls each client once). */
export const handler = async (event) => {
  const out = [];
  for (const call of event.calls) out.push(await send(call));
  return out;
};
`;
};

export interface BuiltBundle {
  path: string;
  bytes: number;
  deflateBytes: number;
  metafile: esbuild.Metafile;
}

const build = async (
  options: Record<string, unknown>,
  entry: string,
  outdir: string,
  extra: Record<string, unknown> = {},
): Promise<BuiltBundle> => {
  mkdirSync(outdir, { recursive: true });
  const result = await esbuild.build({
    ...(options as esbuild.BuildOptions),
    ...extra,
    entryPoints: [entry],
    outdir,
    absWorkingDir: ROOT,
    metafile: true,
    write: true,
    logLevel: 'error',
  });
  const out = Object.keys(result.metafile.outputs).find((o) => o.endsWith('.mjs')) as string;
  const path = join(ROOT, out);
  const bytes = readFileSync(path);
  return { path, bytes: bytes.length, deflateBytes: deflateSize(bytes), metafile: result.metafile };
};

/** Deflated size at level 9, the same for bundle and floor (osls zips add ~100 bytes of headers). */
export const deflateSize = (bytes: Buffer) => deflateRawSync(bytes, { level: 9 }).length;

export interface FunctionBuilds {
  /** The handler rebuilt with a metafile (not built when only the floor is needed). */
  rebuilt?: BuiltBundle;
  identical?: boolean;
  floor: BuiltBundle;
  floorSourcePath: string;
  /** Not minified (esbuild then names each module in a comment): for attributing CPU profiles. */
  readable?: BuiltBundle;
  floorReadable?: BuiltBundle;
}

export const buildFunction = async (
  pkg: Packaged,
  fn: PackagedFunction,
  opts: { rebuilt: boolean; readable: boolean } = { rebuilt: true, readable: true },
): Promise<FunctionBuilds> => {
  const options = esbuildOptionsFor(pkg.esbuildOptions);
  const dir = join(WORK, 'builds', fn.key);
  const floorSourcePath = join(WORK, 'floors', fn.key, 'floor.mjs');
  mkdirSync(join(WORK, 'floors', fn.key), { recursive: true });
  writeFileSync(floorSourcePath, floorSource(fn));
  const floor = await build(options, relative(ROOT, floorSourcePath), join(dir, 'floor'));
  if (!opts.rebuilt) return { floor, floorSourcePath };
  const rebuilt = await build(options, fn.entry, join(dir, 'rebuilt'));
  const identical = readFileSync(rebuilt.path).equals(readFileSync(fn.mjsPath));
  if (!opts.readable) return { rebuilt, identical, floor, floorSourcePath };
  const [readable, floorReadable] = await Promise.all([
    build(options, fn.entry, join(dir, 'readable'), { minify: false }),
    build(options, relative(ROOT, floorSourcePath), join(dir, 'floor-readable'), { minify: false }),
  ]);
  return { rebuilt, identical, floor, floorSourcePath, readable, floorReadable };
};

/** Bytes in a bundle by contributor: npm package, or project folder (lib/catalog, lib/aws, jobs.ts...). */
export const contributors = (metafile: esbuild.Metafile): { name: string; bytes: number }[] => {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint) ?? Object.values(metafile.outputs)[0];
  const by = new Map<string, number>();
  for (const [path, v] of Object.entries(output?.inputs ?? {})) {
    const name = contributorOf(path);
    by.set(name, (by.get(name) ?? 0) + v.bytesInOutput);
  }
  return [...by.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
};

export const contributorOf = (path: string): string => {
  const m = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1] as string;
  const parts = path.split('/');
  if (parts[0] === 'lib' && parts.length > 2) return `lib/${parts[1]}`;
  if (parts[0] === 'lib') return `lib/${parts[1]}`;
  if (parts[0] === 'functions') return 'functions';
  return parts[parts.length - 1] ?? path;
};

/** Compiles a bench child script (TypeScript) to a plain ESM file run by Node 24 without loaders. */
export const compileChild = async (name: string): Promise<string> => {
  const outfile = join(WORK, 'children', `${name}.mjs`);
  await esbuild.build({
    entryPoints: [join(ROOT, 'bench', 'children', `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    logLevel: 'error',
  });
  return outfile;
};
