import { ecs } from '../../lib/aws/ecs.ts';
import { type ControlResponse, parseControlRequest } from '../../lib/contracts/control.ts';
import { control } from '../../lib/control.ts';
import { AppError } from '../../lib/errors.ts';
import { createHandler } from '../../lib/handler.ts';
import type { StopDeps } from '../../lib/ports.ts';
import { coreDeps } from '../../lib/wiring.ts';

/**
 * Operator requests from the CLI (synchronous). Bad requests and rejections are answered with
 * `ok: false` and a code; only failures worth retrying (AWS errors) throw.
 */
export const buildHandler = (deps: StopDeps) =>
  createHandler({ name: 'control', parse: (event) => event }, async (event): Promise<ControlResponse> => {
    try {
      return { ok: true, ...(await control(deps, parseControlRequest(event))) };
    } catch (e) {
      if (e instanceof AppError && !e.retryable) return { ok: false, error: { code: e.code, message: e.message } };
      throw e;
    }
  });

export const handler = buildHandler({ ...coreDeps(), ecs });
