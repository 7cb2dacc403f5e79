/**
 * The one secret a Lambda reads: an alert route's webhook URL, through Powertools' caching provider
 * (5 minutes), never logged. Tests call `clearCaches()` from '@aws-lambda-powertools/parameters'.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

export const WEBHOOK_CACHE_SECONDS = 300;

export const readSecretString = async (nameOrArn: string): Promise<string> => {
  const value = await getSecret(nameOrArn, { maxAge: WEBHOOK_CACHE_SECONDS });
  if (typeof value !== 'string' || value === '') throw new Error(`Secret ${nameOrArn} has no SecretString`);
  return value.trim();
};
