/**
 * Helpers for writing a catalog: typed identity functions and reference builders. They only build
 * plain data; `validateCatalog` checks it.
 */
import { localArn } from './arn.ts';
import type { CatalogInput, ParamRef, SecretRef } from './schema.ts';

/** Types a catalog literal; validation happens when it is loaded (build time and run time). */
export const defineCatalog = (catalog: CatalogInput): CatalogInput => catalog;

/**
 * A stage parameter: resolved at deploy time from `params` in serverless.ts, whose default reads
 * SSM parameter `/longshore/<stage>/<name>` (override per stage or with `--param name=value`).
 */
export const param = (name: string): ParamRef => ({ param: name });

/** An SSM Parameter Store parameter by name (same account and Region) or ARN. */
export const ssmParameter = (nameOrArn: string, opts: { kmsKey?: string } = {}): SecretRef => ({
  ssm: nameOrArn,
  ...opts,
});

/**
 * A Secrets Manager secret in this stack's account and Region, by its name with the 6-character
 * suffix Secrets Manager adds (`prod/db-AbCdEf`), or any secret by full ARN.
 */
export const secretsManager = (
  nameOrArn: string,
  opts: { jsonKey?: string; versionStage?: string; versionId?: string; kmsKey?: string } = {},
): SecretRef => ({
  secretsManager: nameOrArn.startsWith('arn:') ? nameOrArn : localArn('secretsmanager', `secret:${nameOrArn}`),
  ...opts,
});

/** A KMS key in this stack's account and Region, by key id. */
export const kmsKey = (keyId: string): string => localArn('kms', `key/${keyId}`);

/** An image in this account's ECR registry in the stack's Region. */
export const ecrImage = (repository: string, ref: { tag: string } | { digest: string }) => ({
  ecr: repository,
  ...ref,
});
