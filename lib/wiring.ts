/**
 * The real side effects, wired once per container from the environment. Handlers take what they
 * need from here; a function that never asks for ECS never loads the ECS client.
 */

import { S3Client } from '@aws-sdk/client-s3';
import { documentClient } from './aws/dynamodb.ts';
import { buildRunEventPublisher, eventBridgeClient } from './aws/eventbridge.ts';
import { buildRunStore } from './aws/runStore.ts';
import { buildManifestWriter } from './aws/s3.ts';
import { buildLaunchQueue, sqsClient } from './aws/sqs.ts';
import { activeCatalog } from './catalog/active.ts';
import { loadConfig, type RuntimeConfig } from './config.ts';
import { emfMetrics } from './metrics.ts';
import type { CoreDeps, ManifestPort } from './ports.ts';

/** The manifest writer of a function that closes batches: only where the stack gave it the bucket. */
export const manifestWriter = (env: NodeJS.ProcessEnv = process.env): ManifestPort | undefined => {
  // A bundle whose catalog has no batched trigger is built without this block and the S3 client
  // (BUNDLE_FEATURES in lib/catalog/shippedCatalog.ts): keep the block form for esbuild.
  if (process.env.LONGSHORE_BUNDLE_BATCHES !== 'false') {
    const bucket = env.LONGSHORE_MANIFEST_BUCKET;
    if (bucket) return buildManifestWriter(new S3Client({ maxAttempts: 4 }), bucket);
  }
  return undefined;
};

export const coreDeps = (config: Readonly<RuntimeConfig> = loadConfig()): CoreDeps => ({
  settings: { stage: config.stage, clusterArn: config.clusterArn },
  store: buildRunStore(documentClient, config.table),
  queue: buildLaunchQueue(sqsClient, config.launchQueueUrl),
  events: buildRunEventPublisher(eventBridgeClient, config.eventBus),
  catalog: activeCatalog,
  now: () => new Date(),
  metrics: emfMetrics,
});
