/**
 * The one structured logger. Correlation keys (job, runId, attempt, taskArn) are appended as soon as
 * a handler knows them and removed when the item is done, so every line carries them. Identifiers
 * only: never payloads, never secret values (Lambdas only ever see secret references anyway).
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'longshore' });

export interface CorrelationKeys {
  job?: string;
  runId?: string;
  attempt?: number;
  taskArn?: string;
}

/**
 * Runs `fn` with correlation keys on every log line, then removes them (one invocation may handle
 * several items: S3 records, SQS messages).
 *
 * @example await withCorrelation({ job: 'thumbnails', runId }, () => launch(runId))
 */
export const withCorrelation = async <T>(keys: CorrelationKeys, fn: () => Promise<T>): Promise<T> => {
  const defined = Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined));
  logger.appendKeys(defined);
  try {
    return await fn();
  } finally {
    logger.removeKeys(Object.keys(defined));
  }
};

/** Adds keys learned mid-item (e.g. the task ARN once RunTask returns); removed with the item's keys. */
export const addCorrelation = (keys: CorrelationKeys): void => {
  logger.appendKeys(Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)));
};
