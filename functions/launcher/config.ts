import type { LauncherEnvName } from '../../lib/config.ts';
import type { CfnValue } from '../../lib/infra/cfn.ts';
import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';
import { IDS } from '../../lib/infra/ids.ts';
import { networksEnvironment } from '../../lib/infra/networks.ts';
import { LAUNCHER_TIMEOUT_SECONDS } from '../../lib/infra/platform.ts';

/** Consumers of the launch queue at once; with the per-instance rate this bounds RunTask calls/s. */
export const LAUNCHER_CONCURRENCY = 2;
/**
 * Fargate allows 20 RunTask calls per second per account and Region (burst and sustained,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html): the launchers' top
 * rate together. Each instance backs off on throttling (functions/launcher/handler.ts), so other
 * callers in the account get their share back without fixed headroom.
 */
export const RUN_TASK_CALLS_PER_SECOND = 20;

/** Takes queued runs off the launch queue: concurrency slot, RunTask with a derived clientToken. */
const config: FunctionConfig = (ctx) => ({
  handler: 'functions/launcher/handler.handler',
  description: 'Launch queue -> ECS RunTask, exactly once per attempt, paced to Fargate limits',
  timeout: LAUNCHER_TIMEOUT_SECONDS,
  async: false,
  // launchOne; a launch that fails for good: settleAttempt -> finishRun / retry -> releaseSlotOf -> dispatchQueued
  storeMethods: [
    'getRun',
    'getAttempt',
    'acquireSlot',
    'transition',
    'releaseSlot',
    'claimAttempt',
    'recordLaunched',
    'releaseAttempt',
    'recordLaunchFailed',
    'recordDecision',
    'markPublished',
    'slotHolders',
    'queuedRuns',
    'claimDispatch',
    // a paused job's run is held (PAUSED) before its attempt is claimed
    'getJobState',
    // fan-out (lib/expandFanOut.ts): children created, the cursor moved, the parent decided, and on
    // fail fast the children with a task cancelled (lib/tallyChild.ts)
    'createRun',
    'advanceFanOut',
    'childTally',
    'getRuns',
  ],
  environment: {
    LONGSHORE_NETWORKS: networksEnvironment(ctx),
    LONGSHORE_RUN_TASK_RATE: String(RUN_TASK_CALLS_PER_SECOND / LAUNCHER_CONCURRENCY),
  } satisfies Record<LauncherEnvName, CfnValue>,
  events: [
    {
      sqs: {
        arn: { 'Fn::GetAtt': [IDS.launchQueue, 'Arn'] },
        batchSize: 10,
        maximumBatchingWindow: 1,
        functionResponseType: 'ReportBatchItemFailures',
        maximumConcurrency: LAUNCHER_CONCURRENCY,
      },
    },
  ],
  statements: [grants.enqueueLaunch(), ...grants.runTasks(ctx), grants.stopTasks(), grants.publishRunEvents()],
});
export default config;
