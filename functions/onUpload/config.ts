import { type FunctionConfig, grants } from '../../lib/infra/functionSpec.ts';
import { manifestEnvironment, writeManifests } from '../../lib/infra/manifests.ts';

/** S3 uploads (EventBridge "Object Created" or classic notifications) become queued runs, or places in batches. */
const config: FunctionConfig = (ctx) => ({
  handler: 'functions/onUpload/handler.handler',
  description: 'S3 uploads -> one run per matching job (conditional create) or a slot in its batch, queued for launch',
  timeout: 30,
  async: true,
  environment: manifestEnvironment(ctx),
  // acceptUploads -> acceptRuns; addToBatch -> closeBatch (lib/acceptBatch.ts)
  storeMethods: [
    'createRun',
    'batchedObjects',
    'latestBatch',
    'getBatch',
    'reserveBatchSlot',
    'fillBatchSlot',
    'assignBatchedObject',
    'addBatchVoids',
    'batchSlots',
    'voidBatchSlot',
    'sealBatch',
    'markBatchClosed',
  ],
  statements: [grants.enqueueLaunch(), ...writeManifests(ctx)],
});
export default config;
