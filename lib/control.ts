/**
 * Operator requests (from the CLI through the `control` function): trigger a job manually, retry a
 * final run as a new run, cancel a run. Rejections (unknown job, no manual trigger, bad overrides)
 * come back as errors with a code the CLI can show; they are not retried.
 */
import { randomUUID } from 'node:crypto';
import { type AcceptedRun, acceptRuns } from './acceptRuns.ts';
import { cancelRun } from './cancelRun.ts';
import { findJob } from './catalog/active.ts';
import type { Job } from './catalog/schema.ts';
import { type ControlRequest, type ControlResponse, parseControlRequest } from './contracts/control.ts';
import { newRun } from './domain/newRun.ts';
import { overrideProblems } from './domain/overrides.ts';
import { isFinal, originalTrigger, type RunOverrides, type RunTrigger } from './domain/run.ts';
import { OVERRIDES_LIMIT, worstCaseOverridesSize } from './domain/taskRequest.ts';
import { AppError, OverridesTooLargeError, RequestRejectedError, RunNotFoundError } from './errors.ts';
import type { StopDeps } from './ports.ts';

export interface ControlResult {
  action: ControlRequest['action'];
  runId: string;
  status: string;
  created: boolean;
}

const checkOverrides = (deps: StopDeps, job: Job, trigger: RunTrigger, overrides: RunOverrides): void => {
  const problems = overrideProblems(job, overrides);
  if (problems.length > 0)
    throw new RequestRejectedError(`Overrides for job '${job.name}' are not valid: ${problems.join('; ')}`);
  // The launcher checks every attempt's request; refuse now what a later attempt could not launch,
  // so the operator hears it here instead of from a run that fails on its third retry.
  const probe = newRun({ job, trigger, overrides }, deps.now());
  const size = worstCaseOverridesSize(deps.settings.stage, job, probe);
  if (size > OVERRIDES_LIMIT) throw new OverridesTooLargeError(size, OVERRIDES_LIMIT, true);
};

const result = (action: ControlRequest['action'], r: AcceptedRun): ControlResult => ({
  action,
  runId: r.runId,
  status: r.status,
  created: r.created,
});

/**
 * @example await control(deps, { action: 'trigger', job: 'csv-ingest', clientToken: 'c1' })
 */
export const control = async (
  deps: StopDeps,
  request: ControlRequest,
  newToken: () => string = randomUUID,
): Promise<ControlResult> => {
  switch (request.action) {
    case 'trigger': {
      const job = findJob(request.job, deps.catalog());
      if (!job.triggers.some((t) => t.type === 'manual')) {
        throw new RequestRejectedError(
          `Job '${job.name}' has no manual trigger; add { type: 'manual' } to its triggers to allow this`,
        );
      }
      const overrides = request.overrides ?? {};
      const trigger = {
        type: 'manual' as const,
        token: request.clientToken ?? newToken(),
        ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
      };
      checkOverrides(deps, job, trigger, overrides);
      const [accepted] = await acceptRuns(deps, [{ job, trigger, overrides }]);
      return result('trigger', accepted as AcceptedRun);
    }
    case 'retry': {
      const run = await deps.store.getRun(request.runId);
      if (!run) throw new RunNotFoundError(request.runId);
      if (!isFinal(run.status))
        throw new RequestRejectedError(`Run '${run.runId}' is ${run.status}; only a finished run can be retried`);
      const job = findJob(run.job, deps.catalog());
      const trigger = {
        type: 'retry' as const,
        of: run.runId,
        token: request.clientToken ?? newToken(),
        original: originalTrigger(run.trigger),
        ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
      };
      if (run.overrides) checkOverrides(deps, job, trigger, run.overrides);
      const [accepted] = await acceptRuns(deps, [
        { job, trigger, ...(run.overrides ? { overrides: run.overrides } : {}) },
      ]);
      return result('retry', accepted as AcceptedRun);
    }
    case 'cancel': {
      const reason = `${request.reason ?? 'cancelled by operator'}${request.requestedBy ? ` (${request.requestedBy})` : ''}`;
      const run = await cancelRun(deps, request.runId, reason);
      return { action: 'cancel', runId: run.runId, status: run.status, created: false };
    }
  }
};

/**
 * The control function's answer to a request from outside: `ok: true` with the result, or `ok:
 * false` with the code and message of a refusal (a bad request, an unknown job or run, overrides
 * that cannot run). Only failures worth retrying (AWS errors) throw, so the CLI can try again.
 *
 * @example await answerControl(deps, { action: 'cancel', runId: 'csv-ingest-...' })
 */
export const answerControl = async (deps: StopDeps, event: unknown): Promise<ControlResponse> => {
  try {
    return { ok: true, ...(await control(deps, parseControlRequest(event))) };
  } catch (e) {
    if (e instanceof AppError && !e.retryable) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
};
