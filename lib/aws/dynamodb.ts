/** The DynamoDB document client, one per container. `AWS_ENDPOINT_URL_DYNAMODB` points it at a local engine. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const createDocumentClient = (
  client: DynamoDBClient = new DynamoDBClient({ maxAttempts: 8 }),
): DynamoDBDocumentClient => DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

export const documentClient = createDocumentClient();
