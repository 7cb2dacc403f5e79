import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/** ECS task state changes of our tasks close attempts; the failure policy decides what follows. */
const config: FunctionConfig = (ctx) => ({
  handler: 'functions/onTaskStateChange/handler.handler',
  description: 'ECS Task State Change -> attempt record, failure policy, retry / finish, slot release',
  timeout: 30,
  async: true,
  // trackTaskEvent -> settleAttempt / resumeRetry -> finishRun -> releaseSlotOf -> dispatchQueued
  storeMethods: [
    'getRun',
    'applyTaskEvent',
    'recordDecision',
    'getAttempt',
    'transition',
    'releaseSlot',
    'slotHolders',
    'queuedRuns',
    'claimDispatch',
    'markPublished',
  ],
  statements: [grants.enqueueLaunch(), grants.publishRunEvents(), ...grants.readResults(ctx)],
});
export default config;
