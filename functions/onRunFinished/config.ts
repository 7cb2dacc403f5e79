import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';

/**
 * Finished runs (Run Succeeded / Failed / Timed Out / Cancelled on the service's bus) start the jobs
 * `after` them, and a fan-out child's is counted on its parent (issue 14).
 */
const config: FunctionConfig = () => ({
  handler: 'functions/onRunFinished/handler.handler',
  description: 'Finished runs -> the jobs that run after them; fan-out children -> their parent tally',
  timeout: 30,
  async: true,
  storeMethods: [
    // acceptAfterRun: getRun (the upstream's truth), acceptRuns -> createRun
    'getRun',
    'createRun',
    // tallyChild: the count, the parent's decision (transition, its final event), and on fail fast
    // stopChildren -> getRuns -> cancelRun -> finishRun -> releaseSlotOf -> dispatchQueued
    'countChild',
    'childTally',
    'getRuns',
    'getAttempt',
    'transition',
    'markPublished',
    'releaseSlot',
    'slotHolders',
    'queuedRuns',
    'claimDispatch',
  ],
  statements: [grants.enqueueLaunch(), grants.stopTasks(), grants.publishRunEvents()],
});
export default config;
