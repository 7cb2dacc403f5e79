/**
 * The functions' environment contract, and reading it. One list of every variable a handler reads
 * (`SERVICE_ENV`, `LAUNCHER_ENV`, `LOCAL_ENV`): the stack sets them (lib/infra/functionSpec.ts,
 * functions/launcher/config.ts), the local flow and the tests set them (lib/local/environment.ts,
 * test/setup.ts), each typed `Record<...EnvName, ...>`, so a variable added here and forgotten in
 * one of those places is a type error. The bench takes each function's environment from the package. Read once at module load by each handler and
 * validated loudly: a missing variable fails the function at init, not in the middle of a run.
 */
import * as v from './contracts/schema.ts';
import type { NetworkSettings } from './domain/taskRequest.ts';
import { ConfigError } from './errors.ts';

export interface RuntimeConfig {
  stage: string;
  table: string;
  eventBus: string;
  launchQueueUrl: string;
  clusterArn: string;
  alertTopicArn: string;
}

/** What every function gets. */
export const SERVICE_ENV = {
  stage: 'LONGSHORE_STAGE',
  table: 'LONGSHORE_TABLE',
  eventBus: 'LONGSHORE_EVENT_BUS',
  launchQueueUrl: 'LONGSHORE_LAUNCH_QUEUE_URL',
  clusterArn: 'LONGSHORE_CLUSTER_ARN',
  alertTopicArn: 'LONGSHORE_ALERT_TOPIC_ARN',
} as const satisfies Record<keyof RuntimeConfig, string>;

/** What only the launcher gets: the networks tasks run in, and its RunTask calls per second. */
export const LAUNCHER_ENV = {
  networks: 'LONGSHORE_NETWORKS',
  runTaskRate: 'LONGSHORE_RUN_TASK_RATE',
} as const;

/** Set on this machine only (the local flow, `longshore invoke`, `osls invoke local`), never deployed. */
export const LOCAL_ENV = { local: 'LONGSHORE_LOCAL' } as const;

export type ServiceEnvName = (typeof SERVICE_ENV)[keyof typeof SERVICE_ENV];
export type LauncherEnvName = (typeof LAUNCHER_ENV)[keyof typeof LAUNCHER_ENV];
/** Every variable a deployed handler reads. */
export type EnvName = ServiceEnvName | LauncherEnvName;

/** Reads a required variable; throws ConfigError naming it. */
export const getEnv = (name: string, env: NodeJS.ProcessEnv = process.env): string => {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigError(`Environment variable ${name} is required`);
  return value;
};

/** Reads a required positive number. */
export const getNumberEnv = (name: string, env: NodeJS.ProcessEnv = process.env): number => {
  const value = Number(getEnv(name, env));
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigError(`Environment variable ${name} must be a positive number`);
  return value;
};

/**
 * The service-wide settings every handler needs; throws one ConfigError listing all that are missing.
 *
 * @example const config = loadConfig(); // at module scope of a handler
 */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Readonly<RuntimeConfig> => {
  const missing = Object.values(SERVICE_ENV).filter((name) => !env[name]);
  if (missing.length > 0) throw new ConfigError(`Environment variables required: ${missing.join(', ')}`);
  return Object.freeze(
    Object.fromEntries(
      Object.entries(SERVICE_ENV).map(([key, name]) => [key, env[name] as string]),
    ) as unknown as RuntimeConfig,
  );
};

/** True on this machine (the local flow and invokes): alerts then hint at commands without --stage. */
export const isLocal = (env: NodeJS.ProcessEnv = process.env): boolean => env[LOCAL_ENV.local] === '1';

const list = v.custom((s, fail): string[] => {
  if (typeof s === 'string')
    return s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  fail('expected a comma-separated string');
  return [];
});
const networks = v.record(v.strictObject({ subnets: list, securityGroups: list, assignPublicIp: v.boolean() }));

/** The launcher's networks, from `LONGSHORE_NETWORKS` (resolved from stage parameters at deploy time). */
export const parseNetworks = (json: string | undefined): Record<string, NetworkSettings> => {
  if (!json) throw new ConfigError('Environment variable LONGSHORE_NETWORKS is required');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigError('LONGSHORE_NETWORKS is not JSON');
  }
  const parsed = networks.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(`LONGSHORE_NETWORKS is malformed: ${v.problemSentences(parsed.error).join('; ')}`);
  for (const [name, n] of Object.entries(parsed.data)) {
    if (n.subnets.length === 0) throw new ConfigError(`LONGSHORE_NETWORKS: network '${name}' has no subnets`);
  }
  return parsed.data;
};

/**
 * The sqs triggers' queues, from `LONGSHORE_QUEUES` (`key=arn` pairs, lib/infra/queues.ts): each
 * queue's ARN to the catalog's key for it (`arn:...` or `param:name`). Empty without sqs triggers.
 */
export const parseQueues = (value: string | undefined): Map<string, string> => {
  const out = new Map<string, string>();
  for (const pair of (value ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new ConfigError(`LONGSHORE_QUEUES: '${pair}' is not key=arn`);
    out.set(pair.slice(at + 1), pair.slice(0, at));
  }
  return out;
};
