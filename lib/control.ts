/**
 * Operator requests (from the CLI through the `control` function): trigger a job manually, retry a
 * final run as a new run, cancel a run. Rejections (unknown job, no manual trigger, bad overrides)
 * come back as errors with a code the CLI can show; they are not retried.
 */
import { randomUUID } from 'node:crypto';
import { type AcceptedRun, acceptRuns } from './acceptRuns.ts';
import { backfill } from './backfill.ts';
import { cancelRun } from './cancelRun.ts';
import { findJob } from './catalog/active.ts';
import type { Job } from './catalog/schema.ts';
import {
  type BackfillResponse,
  type ControlRequest,
  type ControlResponse,
  type PauseResponse,
  parseControlRequest,
} from './contracts/control.ts';
import { unsucceededIndices } from './domain/fanOut.ts';
import { newRun } from './domain/newRun.ts';
import { overrideProblems } from './domain/overrides.ts';
import { type ItemsOf, isFinal, originalTrigger, type Run, type RunOverrides, type RunTrigger } from './domain/run.ts';
import { jobsForObject } from './domain/s3Match.ts';
import { OVERRIDES_LIMIT, worstCaseOverridesSize } from './domain/taskRequest.ts';
import { AppError, OverridesTooLargeError, RequestRejectedError, RunNotFoundError } from './errors.ts';
import { pauseJob, resumeJob } from './pauseJob.ts';
import type { ControlDeps, StopDeps } from './ports.ts';
import { stopChildren } from './tallyChild.ts';

/** The requests about one run (a backfill is about many: lib/backfill.ts; a pause, about a job: lib/pauseJob.ts). */
type RunControlRequest = Exclude<ControlRequest, { action: 'backfill' | 'pause' | 'resume' }>;

export interface ControlResult {
  action: RunControlRequest['action'];
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

/** Overrides in one form whatever the order they were given in: keys sorted, environment by name. */
const canonicalOverrides = (o: RunOverrides | undefined): string =>
  JSON.stringify({
    command: o?.command,
    cpu: o?.cpu,
    memory: o?.memory,
    imageTag: o?.imageTag,
    image: o?.image,
    environment: [...(o?.environment ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  });

/**
 * A client token names one request: repeated with the same overrides it finds its run (a safe
 * retry of the command); repeated with other overrides it is a different request under a used
 * token, refused as idempotency keys are elsewhere (e.g. ECS RunTask's clientToken), instead of
 * answering with a run that does not do what was asked.
 */
const refuseReusedToken = async (
  deps: StopDeps,
  request: {
    job: Job;
    trigger: Extract<RunTrigger, { type: 'manual' | 'retry' }>;
    overrides: RunOverrides;
    itemsOf?: ItemsOf;
  },
): Promise<void> => {
  const asked = newRun(request, deps.now());
  const existing = await deps.store.getRun(asked.runId);
  if (existing && canonicalOverrides(existing.overrides) !== canonicalOverrides(asked.overrides))
    throw new RequestRejectedError(
      `Client token '${request.trigger.token}' was already used for run ${existing.runId} with other overrides (environment, command, cpu, memory or image); repeat it with the same ones, or use a new token for a new run`,
    );
  if (existing && Boolean(existing.itemsOf) !== Boolean(asked.itemsOf))
    throw new RequestRejectedError(
      `Client token '${request.trigger.token}' was already used for run ${existing.runId}, a retry of ${existing.itemsOf ? 'the items that did not succeed' : 'every item'}; use a new token for a new run`,
    );
};

/**
 * `runs retry PARENT --failed`: the children of a final fan-out parent that did not succeed,
 * read from its tally (every index, not only the first 50 the run keeps). The new parent keeps
 * the list (one number an item, at most 10,000: well under DynamoDB's 400 KB item limit), so
 * repeating the command with its token finds the same run and the same items, whatever the tally
 * of the old parent says later (a straggler counted after the retry).
 */
const failedItemsOf = async (deps: StopDeps, run: Run): Promise<ItemsOf> => {
  if (!run.fanOut)
    throw new RequestRejectedError(
      run.parent
        ? `Run '${run.runId}' is a child of fan-out run ${run.parent.runId}; retry it with --failed on that run, or without --failed on this one`
        : `Run '${run.runId}' is not a fan-out parent (its job's fanOut made no children for it); --failed retries the items of a fan-out run that did not succeed`,
    );
  const indices = unsucceededIndices(run.fanOut.total, await deps.store.childTally(run.runId));
  if (indices.length === 0)
    throw new RequestRejectedError(
      `Every one of run '${run.runId}''s ${run.fanOut.total} children succeeded; there is no failed item to retry (retry without --failed runs every item again)`,
    );
  return { runId: run.runId, indices };
};

/**
 * A retry's overrides: the retried run's, changed by the request's. A variable given replaces the
 * one of the same name (the others stay); a command, cpu or memory given replaces the old one.
 */
export const retryOverrides = (old: RunOverrides | undefined, changes: RunOverrides | undefined): RunOverrides => {
  const changed = new Set((changes?.environment ?? []).map((e) => e.name));
  const environment = [
    ...(old?.environment ?? []).filter((e) => !changed.has(e.name)),
    ...(changes?.environment ?? []),
  ];
  const command = changes?.command ?? old?.command;
  const cpu = changes?.cpu ?? old?.cpu;
  const memory = changes?.memory ?? old?.memory;
  // An image or a tag given replaces the run's, of either kind.
  const image = changes?.image !== undefined || changes?.imageTag !== undefined ? changes : old;
  return {
    ...(image?.imageTag !== undefined ? { imageTag: image.imageTag } : {}),
    ...(image?.image !== undefined ? { image: image.image } : {}),
    ...(environment.length > 0 ? { environment } : {}),
    ...(command ? { command } : {}),
    ...(cpu !== undefined ? { cpu } : {}),
    ...(memory !== undefined ? { memory } : {}),
  };
};

const result = (action: RunControlRequest['action'], r: AcceptedRun): ControlResult => ({
  action,
  runId: r.runId,
  status: r.status,
  created: r.created,
});

/**
 * `trigger JOB --object s3://bucket/key`: a run of the job on that object, with an upload's
 * identity (lib/domain/runId.ts: bucket, key, version id, else ETag), so repeating it finds the
 * same run; `force` runs it again as a retry of that run (a new run, the same object). The object
 * must match one of the job's S3 triggers: that is what its task role may read.
 */
const triggerOnObject = async (
  deps: StopDeps,
  job: Job,
  request: Extract<RunControlRequest, { action: 'trigger' }>,
  overrides: RunOverrides,
  newToken: () => string,
): Promise<ControlResult> => {
  const object = request.object as NonNullable<typeof request.object>;
  if (!jobsForObject(deps.catalog(), object.bucket, object.key).some((j) => j.name === job.name))
    throw new RequestRejectedError(
      `s3://${object.bucket}/${object.key} matches none of job '${job.name}''s S3 triggers (${
        job.triggers
          .flatMap((t) => (t.type === 's3' ? [`s3://${t.bucket}/${t.prefix ?? ''}*${t.suffix ?? ''}`] : []))
          .join(', ') || 'it has none'
      }); its task may read only those objects`,
    );
  const trigger = { type: 's3' as const, ...object };
  checkOverrides(deps, job, trigger, overrides);
  const [accepted] = (await acceptRuns(deps, [{ job, trigger, overrides }])) as [AcceptedRun];
  if (accepted.created || !request.force) return result('trigger', accepted);
  if (!isFinal(accepted.status))
    throw new RequestRejectedError(
      `Run '${accepted.runId}' of s3://${object.bucket}/${object.key} is ${accepted.status}; --force starts a new run once it has finished (or cancel it)`,
    );
  return control(deps, {
    action: 'retry',
    runId: accepted.runId,
    clientToken: request.clientToken ?? newToken(),
    ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
    ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
  });
};

/**
 * @example await control(deps, { action: 'trigger', job: 'csv-ingest', clientToken: 'c1' })
 */
export const control = async (
  deps: StopDeps,
  request: RunControlRequest,
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
      if (request.object) return triggerOnObject(deps, job, request, overrides, newToken);
      const trigger = {
        type: 'manual' as const,
        token: request.clientToken ?? newToken(),
        ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
      };
      checkOverrides(deps, job, trigger, overrides);
      await refuseReusedToken(deps, { job, trigger, overrides });
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
      // Another image needs a manual trigger, as for `trigger --image-tag`: the launcher may register
      // derived task definitions only for those jobs (docs/decisions.md, "Runs on another image").
      if (
        (request.overrides?.imageTag !== undefined || request.overrides?.image !== undefined) &&
        !job.triggers.some((t) => t.type === 'manual')
      )
        throw new RequestRejectedError(
          `Job '${job.name}' has no manual trigger, so its runs cannot run on another image (the launcher registers task definitions only for jobs with one); add { type: 'manual' } to its triggers to allow --image-tag and --image`,
        );
      const overrides = retryOverrides(run.overrides, request.overrides);
      const changed = Object.keys(overrides).length > 0;
      if (changed) checkOverrides(deps, job, trigger, overrides);
      const itemsOf = request.failed ? await failedItemsOf(deps, run) : undefined;
      await refuseReusedToken(deps, { job, trigger, overrides, ...(itemsOf ? { itemsOf } : {}) });
      const [accepted] = await acceptRuns(deps, [
        { job, trigger, ...(changed ? { overrides } : {}), ...(itemsOf ? { itemsOf } : {}) },
      ]);
      return result('retry', accepted as AcceptedRun);
    }
    case 'cancel': {
      const reason = `${request.reason ?? 'cancelled by operator'}${request.requestedBy ? ` (${request.requestedBy})` : ''}`;
      const run = await cancelRun(deps, request.runId, reason);
      // Fan-out (issue 14): a cancelled parent's children with a task are cancelled too (queued ones
      // are cancelled by the launcher, which checks the parent first); asking again repeats it.
      if (run.fanOut && isFinal(run.status)) await stopChildren(deps, run);
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
export const answerControl = async (
  deps: ControlDeps,
  event: unknown,
): Promise<ControlResponse | BackfillResponse | PauseResponse> => {
  try {
    const request = parseControlRequest(event);
    if (request.action === 'backfill') return { ok: true, ...(await backfill(deps, request)) };
    if (request.action === 'pause')
      return {
        ok: true,
        ...(await pauseJob(deps, {
          job: request.job,
          mode: request.mode,
          ...(request.requestedBy ? { by: request.requestedBy } : {}),
        })),
      };
    if (request.action === 'resume')
      return {
        ok: true,
        ...(await resumeJob(deps, { job: request.job, ...(request.requestedBy ? { by: request.requestedBy } : {}) })),
      };
    const answer = await control(deps, request);
    // A run of a paused job waits (or is skipped) at the launcher: say so where it was asked for.
    const state = request.action === 'trigger' ? await deps.store.getJobState(request.job) : undefined;
    return { ok: true, ...answer, ...(state?.paused && state.mode ? { paused: state.mode } : {}) };
  } catch (e) {
    if (e instanceof AppError && !e.retryable) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
};
