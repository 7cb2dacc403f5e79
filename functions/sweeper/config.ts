import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/** Every few minutes: timeouts, stuck starts, lost STOPPED events, missed schedule ticks. */
const config: FunctionConfig = () => ({
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
    // a quiet fan-out parent: its children counted again and the parent decided (lib/tallyChild.ts)
    'childTally',
    'countChild',
    'getRuns',
  ],
  statements: [
    grants.enqueueLaunch(),
    grants.stopTasks(),
    grants.describeTasks(),
    grants.listTasks(),
    grants.publishRunEvents(),
  ],
});
export default config;
