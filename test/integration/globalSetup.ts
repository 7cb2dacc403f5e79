/**
 * Starts one local DynamoDB engine for the integration suite. AWS's DynamoDB Local (Java) by default
 * (the most faithful: conditional-failure item returns, exact validation); dynalite when Java is
 * missing, with a notice. CI sets LONGSHORE_TEST_DDB=dynamodb-local so a missing Java fails loudly.
 */
import type { TestProject } from 'vitest/node';
import { hasJava, type LocalDynamo, startDynalite, startDynamoDbLocal } from '../../lib/local/dynamo.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    ddbEndpoint: string;
    ddbEngine: string;
  }
}

let engine: LocalDynamo | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = process.env.LONGSHORE_TEST_DDB ?? (hasJava() ? 'dynamodb-local' : 'dynalite');
  if (wanted === 'dynalite' && !process.env.LONGSHORE_TEST_DDB) {
    console.warn(
      '[integration] Java not found: using dynalite instead of DynamoDB Local (install Java 17+ for the faithful engine)',
    );
  }
  engine = wanted === 'dynalite' ? await startDynalite() : await startDynamoDbLocal();
  project.provide('ddbEndpoint', engine.endpoint);
  project.provide('ddbEngine', engine.engine);
  return async () => {
    await engine?.stop();
  };
}
