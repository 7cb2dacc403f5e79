/**
 * The one middy chain every handler uses:
 *   context + correlation-ready logger -> event validation at the edge -> error logging -> inner.
 * Inner functions receive a parsed, typed event and never see `unknown` JSON.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Output, Schema } from './contracts/schema.ts';
import { problemSentences } from './contracts/schema.ts';
import { AppError, asError, faultKind, InvalidEventError } from './errors.ts';
import { logger } from './logger.ts';
import type { MetricsPort } from './metrics.ts';

/**
 * Validates an event against a schema; throws InvalidEventError naming every problem.
 *
 * @example const event = parseEvent(s3EventSchema, raw, 'S3 upload event');
 */
export const parseEvent = <S extends Schema<unknown, never>>(schema: S, event: unknown, source: string): Output<S> => {
  const result = schema.safeParse(event);
  if (!result.success) throw new InvalidEventError(source, problemSentences(result.error));
  return result.data as Output<S>;
};

/**
 * Logs a failure once, with its code and cause chain, and counts it (`Faults`), then lets it
 * propagate: async invocations are retried by Lambda and then kept in the dead-letter destination
 * with the error.
 */
const logErrors = (name: string, metrics: MetricsPort): MiddlewareObj => ({
  onError: async (request) => {
    const error = asError(request.error);
    metrics.fault(faultKind(error));
    if (error instanceof AppError) {
      logger.error(`${name} failed: ${error.message}`, { errorCode: error.code, retryable: error.retryable, error });
    } else {
      logger.error(`${name} failed unexpectedly`, { error });
    }
  },
});

export interface HandlerSpec<E> {
  /** The function key, used in log messages. */
  name: string;
  /** Parses the raw event; throws InvalidEventError. */
  parse: (event: unknown) => E;
  /**
   * Where a failed invocation is counted: the handler's deps' metrics, so a test or the generated
   * histories see the count. Required: a handler that left it out counted nowhere they could see
   * (onRunFinished did, found by the histories).
   */
  metrics: MetricsPort;
}

/**
 * Builds a Lambda handler with the house middy chain.
 *
 * @example export const handler = createHandler({ name: 'onUpload', parse: parseUploads, metrics: deps.metrics }, (e) => acceptUploads(deps, e));
 */
export const createHandler = <E, R>(spec: HandlerSpec<E>, inner: (event: E, context: Context) => Promise<R>) =>
  middy<unknown, R, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logErrors(spec.name, spec.metrics))
    .handler(async (event, context) => inner(spec.parse(event), context));
