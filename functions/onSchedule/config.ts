import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/** Schedule ticks (Scheduler input, Scheduler default payload, rule "Scheduled Event") become runs. */
const config: FunctionConfig = () => ({
  handler: 'functions/onSchedule/handler.handler',
  description: 'Schedule ticks -> runs, honouring each schedule overlap policy',
  timeout: 30,
  async: true,
  // acceptTick, acceptRuns (SKIPPED: publishOnce), replace: cancelRun -> finishRun -> releaseSlotOf -> dispatchQueued
  storeMethods: [
    'getRun',
    'activeRuns',
    'createRun',
    'markPublished',
    'getAttempt',
    'transition',
    'releaseSlot',
    'slotHolders',
    'queuedRuns',
    'claimDispatch',
    'recordScheduleTick',
  ],
  statements: [grants.enqueueLaunch(), grants.stopTasks(), grants.publishRunEvents()],
});
export default config;
