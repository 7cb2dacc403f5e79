/**
 * The whole service definition, derived from the catalog and the stage. `serverless.ts` only calls
 * `buildService`; everything here is plain data, so tests can inspect it without packaging.
 */
import type { AWS } from '@serverless/typescript';
import type { Catalog } from '../catalog/schema.ts';
import { BUNDLE_FEATURES, SHIPPED_CATALOG_CONDITION, SHIPPED_CATALOG_GLOBAL } from '../catalog/shippedCatalog.ts';
import { collectParams, paramDefaults } from '../catalog/stageParams.ts';
import { functionName, functionRoleName, SERVICE } from '../domain/names.ts';
import {
  allow,
  assumeRolePolicy,
  type CfnValue,
  getAtt,
  policyDocument,
  type Resources,
  type Statement,
  sub,
} from './cfn.ts';
import type { BuildContext } from './context.ts';
import type { FunctionConfig, FunctionSpec } from './functionSpec.ts';
import { commonEnvironment, tableGrants } from './functionSpec.ts';
import { functionRoleLogicalId, IDS } from './ids.ts';
import { jobResources } from './jobResources.ts';
import { hasBatches } from './manifests.ts';
import { monitoringResources } from './monitoring.ts';
import { outputs } from './outputs.ts';
import { parameterDefinitions } from './params.ts';
import { platformConditions, platformParameters, platformResources } from './platform.ts';
import { triggerResources } from './triggers.ts';

const LAMBDA_LOG_RETENTION_DAYS = 30;

/** The function's own role: its log group, its event source, its dead-letter queue, its statements. */
const functionRole = (ctx: BuildContext, key: string, spec: FunctionSpec): Resources[string] => {
  const statements: Statement[] = [
    {
      Sid: 'OwnLogs',
      ...allow(
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        [
          sub(
            `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName(ctx.stage, key)}:*`,
          ),
        ],
      ),
    },
    ...tableGrants(spec.storeMethods),
    ...spec.statements,
  ];
  if (spec.async) {
    statements.push({ Sid: 'OnFailureDestination', ...allow(['sqs:SendMessage'], [getAtt(IDS.eventsDlq, 'Arn')]) });
  }
  // The launcher's own queue; another function's queues (the sqs triggers') come in its statements.
  const launchQueueArn = JSON.stringify(getAtt(IDS.launchQueue, 'Arn'));
  const readsLaunchQueue = spec.events?.some(
    (e) =>
      typeof e === 'object' && 'sqs' in e && typeof e.sqs === 'object' && JSON.stringify(e.sqs.arn) === launchQueueArn,
  );
  if (readsLaunchQueue) {
    statements.push({
      Sid: 'ConsumeLaunchQueue',
      ...allow(
        ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
        [getAtt(IDS.launchQueue, 'Arn')],
      ),
    });
  }
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: sub(functionRoleName(ctx.stage, key, '${AWS::Region}')),
      Description: `Role of longshore function ${key} (${ctx.stage}): only what this function calls`,
      AssumeRolePolicyDocument: assumeRolePolicy('lambda.amazonaws.com'),
      Policies: [{ PolicyName: key, PolicyDocument: policyDocument(statements) }],
    },
  };
};

type ServerlessFunctions = NonNullable<AWS['functions']>;

const functionDefinition = (key: string, spec: FunctionSpec): ServerlessFunctions[string] => ({
  handler: spec.handler,
  description: spec.description,
  role: functionRoleLogicalId(key),
  ...(spec.memorySize !== undefined ? { memorySize: spec.memorySize } : {}),
  ...(spec.timeout !== undefined ? { timeout: spec.timeout } : {}),
  ...(spec.environment ? { environment: spec.environment as Record<string, string> } : {}),
  ...(spec.events ? { events: spec.events } : {}),
  ...(spec.async
    ? {
        maximumRetryAttempts: 2,
        maximumEventAge: 21600,
        destinations: { onFailure: { type: 'sqs' as const, arn: { 'Fn::GetAtt': [IDS.eventsDlq, 'Arn'] } } },
      }
    : {}),
});

export interface BuiltService {
  config: AWS;
  specs: Record<string, FunctionSpec>;
}

/** Environment values that are CloudFormation references resolve only on deploy: `osls invoke local` gets none of them (the local mocks set their own). */
const plainOnly = (env: Record<string, CfnValue> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(env ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));

/**
 * Builds the full serverless configuration from the build context and the function configs;
 * `localInvoke` builds for `osls invoke local` (mocks injected, plain environment values only).
 *
 * @example buildService({ stage: 'dev', catalog, protectedStages: PROTECTED_STAGES }, functions).config.service // 'longshore'
 */
export const buildService = (
  ctx: BuildContext,
  fnConfigs: Record<string, FunctionConfig>,
  { localInvoke = false }: { localInvoke?: boolean } = {},
): BuiltService => {
  const specs = Object.fromEntries(
    Object.entries(fnConfigs).map(([key, build]) => {
      const spec = build(ctx);
      return [key, localInvoke ? { ...spec, environment: plainOnly(spec.environment) } : spec];
    }),
  );
  const params = collectParams(ctx.catalog);
  const roles: Resources = Object.fromEntries(
    Object.entries(specs).map(([key, spec]) => [functionRoleLogicalId(key), functionRole(ctx, key, spec)]),
  );
  const resources: Resources = {
    ...platformResources(ctx),
    ...Object.assign({}, ...ctx.catalog.jobs.map((job) => jobResources(ctx, job))),
    ...triggerResources(ctx),
    ...roles,
    ...monitoringResources(ctx, Object.keys(specs)),
  };
  const config: AWS = {
    service: SERVICE,
    frameworkVersion: '4',
    configValidationMode: 'error',
    plugins: ['serverless-esbuild'],
    params: { default: { clusterArn: '', ...paramDefaults(params, ctx.stage) } },
    provider: {
      name: 'aws',
      runtime: 'nodejs24.x' as AWS['provider']['runtime'],
      architecture: 'arm64',
      stage: ctx.stage,
      region: '${opt:region, env:AWS_REGION, "eu-west-1"}' as AWS['provider']['region'],
      memorySize: 256,
      timeout: 30,
      logRetentionInDays: LAMBDA_LOG_RETENTION_DAYS,
      environment: localInvoke ? plainOnly(commonEnvironment(ctx)) : (commonEnvironment(ctx) as Record<string, string>),
      tags: { 'longshore:stage': ctx.stage },
    },
    package: { individually: true },
    custom: { esbuild: esbuildOptions(localInvoke, ctx.catalog) },
    functions: Object.fromEntries(Object.entries(specs).map(([key, spec]) => [key, functionDefinition(key, spec)])),
    resources: {
      Parameters: { ...platformParameters(), ...parameterDefinitions(params) } as Record<string, never>,
      Conditions: platformConditions() as Record<string, never>,
      Resources: resources as Record<string, never>,
      Outputs: outputs(ctx) as Record<string, never>,
    },
  };
  return { config, specs };
};

/**
 * serverless-esbuild options. ESM `.mjs` bundles with the SDK bundled and module-first main fields
 * (smaller and faster to init); CommonJS `.cjs` for `osls invoke local`, whose loader can only
 * require() (toolchain.md). `skipRebuild` stops a build error from hanging the CLI forever.
 *
 * The catalog ships validated: the `longshore-bundle` condition resolves `#catalog-source`
 * (package.json `imports`) to lib/catalog/shippedCatalog.ts, which reads the JSON `define` puts in
 * the bundle, so no bundle carries `jobs.ts`, its schema or the validator, and no init validates
 * (issue 12). esbuild drops its default `module` condition once `conditions` is set
 * (https://esbuild.github.io/api/#conditions): it is listed so packages resolve as before.
 */
export const esbuildOptions = (localInvoke: boolean, catalog: Catalog): Record<string, CfnValue | undefined> => ({
  bundle: true,
  minify: true,
  sourcemap: false,
  keepNames: true,
  target: 'node24',
  platform: 'node',
  format: localInvoke ? 'cjs' : 'esm',
  outputFileExtension: localInvoke ? '.cjs' : '.mjs',
  mainFields: ['module', 'main'],
  conditions: [SHIPPED_CATALOG_CONDITION, 'module'],
  define: {
    [SHIPPED_CATALOG_GLOBAL]: JSON.stringify(JSON.stringify(catalog)),
    [BUNDLE_FEATURES.batches]: JSON.stringify(String(hasBatches(catalog))),
  },
  banner: localInvoke
    ? undefined
    : { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  // Local invoke builds carry the mocks (active with LONGSHORE_LOCAL_MOCKS=1) and build in their own
  // folder: serverless-esbuild zips what its build folder holds, and a deploy must never ship them.
  ...(localInvoke ? { inject: ['lib/local/oslsMocks.ts'], outputWorkFolder: '.esbuild-local' } : {}),
  exclude: localInvoke ? ['dynalite'] : [],
  skipRebuild: true,
});
