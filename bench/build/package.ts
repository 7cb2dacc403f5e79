/**
 * The deployed artifacts: `osls package` for the bench stage, each function's zip, its bundle
 * (`handler.mjs`, extracted), its environment, memory, timeout and the actions its role allows,
 * all read from the packaged CloudFormation template; and the esbuild options serverless-esbuild
 * used, read from `serverless-state.json`, so floors and metafiles are built the same way (checked:
 * rebuilding a handler with them gives the deployed bundle byte for byte).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageInputsHash } from '../../test/helpers/packageCache.ts';
import { zipEntry } from '../../test/helpers/zip.ts';
import { BENCH_STAGE, ROOT, WORK } from '../production.ts';

export interface PackagedFunction {
  key: string;
  /** Source entry, e.g. functions/onUpload/handler.ts. */
  entry: string;
  zipPath: string;
  zipBytes: number;
  mjsPath: string;
  mjsBytes: number;
  environment: Record<string, string>;
  memoryMB: number;
  timeoutSeconds: number;
  /** IAM actions of the function's own role (its statements, minus its own log writing). */
  actions: string[];
}

/** How the platform around the functions is configured (from the template). */
export interface PlatformSettings {
  launchQueue: { visibilitySeconds: number; maxReceiveCount: number };
  launcherEventSource: { batchSize: number; windowSeconds: number; maxConcurrency: number };
  sweeperEverySeconds: number;
}

export interface Packaged {
  dir: string;
  functions: PackagedFunction[];
  platform: PlatformSettings;
  esbuildOptions: Record<string, unknown>;
  seconds: number;
}

type Cfn = { Type: string; Properties: Record<string, unknown> };

/**
 * Values for the environment entries CloudFormation would resolve on deploy (references), by
 * variable; any other non-literal value fails the bench, so a new one is noticed.
 */
export const BENCH_RESOURCES: Record<string, string> = {
  LONGSHORE_TABLE: 'longshore-prod-runs',
  LONGSHORE_EVENT_BUS: 'longshore-prod-runs',
  LONGSHORE_LAUNCH_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/longshore-prod-launch',
  LONGSHORE_CLUSTER_ARN: 'arn:aws:ecs:eu-west-1:111122223333:cluster/longshore-prod',
  LONGSHORE_ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:longshore-prod-alerts',
  // The example catalog's one sqs trigger queue (key=arn, lib/infra/queues.ts).
  LONGSHORE_QUEUES:
    'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:acme-orders-resend=arn:aws:sqs:eu-west-1:111122223333:acme-orders-resend',
  LONGSHORE_NETWORKS: JSON.stringify({
    default: { subnets: 'subnet-0a1b2c3d4e5f60718', securityGroups: 'sg-0123456789abcdef0', assignPublicIp: false },
  }),
};

const resolveEnvironment = (key: string, vars: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(vars).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const sub = BENCH_RESOURCES[name];
      if (sub === undefined) throw new Error(`${key}: environment ${name} is a reference the bench cannot resolve`);
      return [name, sub];
    }),
  );

/**
 * Statements Lambda itself uses on the function's behalf (logs, the SQS event sources, the on-failure
 * destination): not calls the function's code makes, so not part of its floor.
 */
const LAMBDA_SERVICE_STATEMENTS = ['OwnLogs', 'ConsumeLaunchQueue', 'ConsumeTriggerQueues', 'OnFailureDestination'];

const OWN_LOGGING = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

const actionsOf = (template: Record<string, Cfn>, role: unknown): string[] => {
  const id = (role as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
  const props = id ? template[id]?.Properties : undefined;
  const policies =
    (props?.Policies as { PolicyDocument: { Statement: { Sid?: string; Action: string | string[] }[] } }[]) ?? [];
  const actions = policies.flatMap((p) =>
    p.PolicyDocument.Statement.filter((s) => !LAMBDA_SERVICE_STATEMENTS.includes(s.Sid ?? '')).flatMap((s) =>
      Array.isArray(s.Action) ? s.Action : [s.Action],
    ),
  );
  // Minus the function's own log writing (Lambda's, not a call of the code); a read of a task's log
  // (the alert's GetLogEvents) is the code's and stays.
  return [...new Set(actions.filter((a) => !OWN_LOGGING.includes(a)))].sort();
};

/**
 * Packages the service, or reuses `dir` when `reuse` and it was packaged from the same inputs
 * (packageInputsHash); extracts and describes each function.
 */
export const packageService = (opts: { reuse?: boolean } = {}): Packaged => {
  const dir = join(WORK, 'package');
  const t0 = performance.now();
  const inputs = packageInputsHash();
  const stamp = join(dir, 'inputs.sha256');
  const fresh = existsSync(stamp) && readFileSync(stamp, 'utf8') === inputs;
  if (!(opts.reuse && fresh && existsSync(join(dir, 'serverless-state.json')))) {
    rmSync(dir, { recursive: true, force: true });
    execFileSync(join(ROOT, 'node_modules', '.bin', 'osls'), ['package', '--stage', BENCH_STAGE, '--package', dir], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_REGION: 'eu-west-1',
      },
      timeout: 300_000,
    });
    writeFileSync(stamp, inputs);
  }
  const seconds = (performance.now() - t0) / 1000;
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as {
    Resources: Record<string, Cfn>;
  };
  const state = JSON.parse(readFileSync(join(dir, 'serverless-state.json'), 'utf8')) as {
    service: {
      custom: { esbuild: Record<string, unknown> };
      functions: Record<string, { handler: string; name: string }>;
    };
  };
  const bundles = join(WORK, 'bundles');
  mkdirSync(bundles, { recursive: true });
  const functions: PackagedFunction[] = Object.entries(state.service.functions).map(([key, f]) => {
    const base = f.handler.slice(0, f.handler.lastIndexOf('.'));
    const resource = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === f.name,
    );
    if (!resource) throw new Error(`the template has no Lambda function ${f.name}`);
    const zipPath = join(dir, `${key}.zip`);
    const mjs = zipEntry(zipPath, `${base}.mjs`);
    const mjsPath = join(bundles, key, 'handler.mjs');
    mkdirSync(join(bundles, key), { recursive: true });
    writeFileSync(mjsPath, mjs);
    return {
      key,
      entry: `${base}.ts`,
      zipPath,
      zipBytes: readFileSync(zipPath).length,
      mjsPath,
      mjsBytes: mjs.length,
      environment: resolveEnvironment(
        key,
        ((resource.Properties.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {}) as Record<
          string,
          unknown
        >,
      ),
      memoryMB: Number(resource.Properties.MemorySize ?? 1024),
      timeoutSeconds: Number(resource.Properties.Timeout ?? 6),
      actions: actionsOf(template.Resources, resource.Properties.Role),
    };
  });
  return {
    dir,
    functions,
    platform: platformOf(template.Resources),
    esbuildOptions: state.service.custom.esbuild,
    seconds,
  };
};

const platformOf = (resources: Record<string, Cfn>): PlatformSettings => {
  const of = (type: string, pick: (r: Cfn) => boolean = () => true) => {
    const found = Object.entries(resources).find(([, r]) => r.Type === type && pick(r));
    if (!found) throw new Error(`the template has no ${type}`);
    return found[1].Properties;
  };
  const queue = of('AWS::SQS::Queue', (r) => r.Properties.RedrivePolicy !== undefined);
  const esm = of('AWS::Lambda::EventSourceMapping');
  const sweeper = of('AWS::Events::Rule', (r) => String(r.Properties.Name ?? '').endsWith('-sweeper'));
  const rate = String(sweeper.ScheduleExpression).match(/^rate\((\d+) minutes?\)$/);
  if (!rate) throw new Error(`sweeper schedule ${String(sweeper.ScheduleExpression)} is not rate(N minutes)`);
  return {
    launchQueue: {
      visibilitySeconds: Number(queue.VisibilityTimeout),
      maxReceiveCount: Number((queue.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount),
    },
    launcherEventSource: {
      batchSize: Number(esm.BatchSize),
      windowSeconds: Number(esm.MaximumBatchingWindowInSeconds ?? 0),
      maxConcurrency: Number(
        (esm.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency ?? 1000,
      ),
    },
    sweeperEverySeconds: Number(rate[1]) * 60,
  };
};

/**
 * The esbuild options serverless-esbuild 1.57 passes for an entry: the `custom.esbuild` block
 * minus the plugin's own keys, `exclude` as `external`, and `outputFileExtension` as `outExtension`
 * (node_modules/serverless-esbuild/dist/bundle.js).
 */
export const esbuildOptionsFor = (custom: Record<string, unknown>): Record<string, unknown> => {
  const {
    exclude,
    skipRebuild: _1,
    outputFileExtension,
    outputWorkFolder: _2,
    outputBuildFolder: _3,
    packager: _4,
    concurrency: _5,
    zipConcurrency: _6,
    nativeZip: _7,
    keepOutputDirectory: _8,
    packagerOptions: _9,
    installExtraArgs: _10,
    watch: _11,
    nodeExternals: _12,
    skipBuild: _13,
    skipBuildExcludeFns: _14,
    stripEntryResolveExtensions: _15,
    disposeContext: _16,
    ...rest
  } = custom;
  return {
    ...rest,
    external: [...((rest.external as string[]) ?? []), ...((exclude as string[]) ?? [])],
    ...(outputFileExtension && outputFileExtension !== '.js' ? { outExtension: { '.js': outputFileExtension } } : {}),
  };
};
