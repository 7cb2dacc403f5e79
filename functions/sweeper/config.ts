import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';
import { manifestEnvironment, writeManifests } from '../../lib/infra/manifests.ts';

/** Every few minutes: timeouts, stuck starts, lost STOPPED events, missed schedule ticks. */
const config: FunctionConfig = (ctx) => ({
  handler: 'functions/sweeper/handler.handler',
  description: 'Stops timed-out runs, reconciles stuck or lost attempts, detects missed schedules',
  timeout: 120,
  async: true,
  // sweep: timeouts, reconcile (trackTaskEvent and what it reaches), leaked slots, dispatch, missed ticks
  storeMethods: [
    'activeRuns',
    'transition',
    'getAttempt',
    'applyTaskEvent',
    'recordDecision',
    'getRun',
    'slotHolders',
    'releaseSlot',
    'queuedRuns',
    'claimDispatch',
    'scheduleTicks',
    'takeLease',
    'releaseLease',
    'markMissedTick',
    'recordMissedTickPublished',
    'markPublished',
    // a paused job's ticks are not missed; PAUSED runs of a job resumed meanwhile are released
    'getJobState',
    'pausedRuns',
    // closeDueBatches (lib/acceptBatch.ts): batches whose window passed, or left full or sealed
    'openBatches',
    'getBatch',
    'batchSlots',
    'voidBatchSlot',
    'batchedObjects',
    'assignBatchedObject',
    'addBatchVoids',
    'sealBatch',
    'markBatchClosed',
    'createRun',
    // a quiet fan-out parent: its children counted again and the parent decided (lib/tallyChild.ts)
    'childTally',
    'countChild',
    'getRuns',
  ],
  environment: manifestEnvironment(ctx),
  statements: [
    ...writeManifests(ctx),
    grants.enqueueLaunch(),
    grants.stopTasks(),
    grants.describeTasks(),
    grants.listTasks(),
    grants.publishRunEvents(),
    // a reconciled task that succeeded settles here: its job's result is read as the tracker reads it
    ...grants.readResults(ctx),
    // the runs' task definitions on another image, once no active run uses them
    ...grants.retireRunTaskDefinitions(ctx),
  ],
});
export default config;
