/**
 * The real side effects, wired once per container from the environment. Handlers take what they
 * need from here; a function that never asks for ECS never loads the ECS client.
 */

import { documentClient } from './aws/dynamodb.ts';
import { buildRunEventPublisher, eventBridgeClient } from './aws/eventbridge.ts';
import { buildRunStore } from './aws/runStore.ts';
import { buildLaunchQueue, sqsClient } from './aws/sqs.ts';
import { activeCatalog } from './catalog/active.ts';
import { loadConfig, type RuntimeConfig } from './config.ts';
import { emfMetrics } from './metrics.ts';
import type { CoreDeps } from './ports.ts';

export const coreDeps = (config: Readonly<RuntimeConfig> = loadConfig()): CoreDeps => ({
  settings: { stage: config.stage, clusterArn: config.clusterArn },
  store: buildRunStore(documentClient, config.table),
  queue: buildLaunchQueue(sqsClient, config.launchQueueUrl),
  events: buildRunEventPublisher(eventBridgeClient, config.eventBus),
  catalog: activeCatalog,
  now: () => new Date(),
  metrics: emfMetrics,
});
