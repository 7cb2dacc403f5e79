import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/** Operator requests from the CLI: trigger a job, retry a run, cancel a run. Invoked synchronously. */
const config: FunctionConfig = () => ({
  handler: 'functions/control/handler.handler',
  description: 'Manual trigger, retry, cancel and backfill (invoked by the longshore CLI)',
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
    // backfill: a rate schedule's ticks are counted from one it recorded
    'scheduleTicks',
  ],
  statements: [grants.enqueueLaunch(), grants.stopTasks(), grants.publishRunEvents()],
});
export default config;
