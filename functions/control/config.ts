import { type FunctionConfig, grants, hasSchedules } from '../../lib/infra/functionSpec.ts';

/** Operator requests from the CLI: trigger a job, retry or cancel a run, backfill, pause or resume a job. Invoked synchronously. */
const config: FunctionConfig = (ctx) => ({
  handler: 'functions/control/handler.handler',
  description: 'Manual trigger, retry, cancel, backfill, pause and resume (invoked by the longshore CLI)',
  timeout: 30,
  async: false,
  // trigger and retry: acceptRuns; cancel: cancelRun -> finishRun -> releaseSlotOf -> dispatchQueued
  storeMethods: [
    'createRun',
    'getRun',
    'getAttempt',
    'transition',
    'releaseSlot',
    'slotHolders',
    'queuedRuns',
    'claimDispatch',
    'markPublished',
    // cancel of a fan-out parent: stopChildren reads its children by id
    'getRuns',
    // runs retry PARENT --failed: the children that did not succeed, from the parent's tally
    'childTally',
    // backfill: a rate schedule's ticks are counted from one it recorded
    'scheduleTicks',
    // jobs pause / jobs resume (lib/pauseJob.ts): the job's state, its PAUSED runs released;
    // trigger: says when the job is paused
    'getJobState',
    'pauseJob',
    'resumeJob',
    'pausedRuns',
  ],
  statements: [
    grants.enqueueLaunch(),
    grants.stopTasks(),
    grants.publishRunEvents(),
    ...(hasSchedules(ctx) ? grants.toggleSchedules(ctx) : []),
  ],
});
export default config;
