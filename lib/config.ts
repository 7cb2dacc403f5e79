/**
 * Runtime configuration from the environment, read once at module load by each handler and
 * validated loudly: a missing variable fails the function at init, not in the middle of a run.
 */
import { ConfigError } from './errors.ts';

export interface RuntimeConfig {
  stage: string;
  table: string;
  eventBus: string;
  launchQueueUrl: string;
  clusterArn: string;
  alertTopicArn: string;
}

const REQUIRED = {
  stage: 'LONGSHORE_STAGE',
  table: 'LONGSHORE_TABLE',
  eventBus: 'LONGSHORE_EVENT_BUS',
  launchQueueUrl: 'LONGSHORE_LAUNCH_QUEUE_URL',
  clusterArn: 'LONGSHORE_CLUSTER_ARN',
  alertTopicArn: 'LONGSHORE_ALERT_TOPIC_ARN',
} as const satisfies Record<keyof RuntimeConfig, string>;

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
  const missing = Object.values(REQUIRED).filter((name) => !env[name]);
  if (missing.length > 0) throw new ConfigError(`Environment variables required: ${missing.join(', ')}`);
  return Object.freeze(
    Object.fromEntries(
      Object.entries(REQUIRED).map(([key, name]) => [key, env[name] as string]),
    ) as unknown as RuntimeConfig,
  );
};
