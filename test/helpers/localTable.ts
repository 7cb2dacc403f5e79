/** A fresh runs table on the suite's local engine, and a store over it, for one test file. */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient } from '../../lib/aws/dynamodb.ts';
import { buildRunStore } from '../../lib/aws/runStore.ts';
import { ensureRunsTable, localClientConfig } from '../../lib/local/dynamo.ts';

export const localStore = async () => {
  const endpoint = inject('ddbEndpoint');
  const table = `runs-${randomUUID().slice(0, 8)}`;
  await ensureRunsTable(endpoint, table, { ttl: false }); // items are dated by the test clock
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 3 });
  const doc = createDocumentClient(client);
  return { store: buildRunStore(doc, table), doc, table, engine: inject('ddbEngine'), close: () => client.destroy() };
};
