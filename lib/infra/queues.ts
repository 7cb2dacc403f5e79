/**
 * The user's queues of the catalog's sqs triggers, as the stack names them: a literal ARN (its
 * pseudo parameters substituted) or the stage parameter's value. One event source mapping per
 * queue, whichever jobs read it: two mappings on one queue would split its messages between them.
 */
import { cfnString } from '../catalog/arn.ts';
import type { Catalog, QueueTrigger } from '../catalog/schema.ts';
import { queueKey, queueKeys, queueTriggers } from '../domain/eventTrigger.ts';
import type { CfnValue } from './cfn.ts';
import { stringValue } from './params.ts';

/** A queue's ARN in the template. */
export const queueArnValue = (q: QueueTrigger['queue']): CfnValue =>
  typeof q === 'string' ? cfnString(q) : stringValue(q);

/** Each distinct queue of the catalog, by its key (`arn:...` or `param:name`), with its ARN value. */
export const catalogQueues = (catalog: Catalog): { key: string; arn: CfnValue }[] => {
  const triggers = queueTriggers(catalog);
  return queueKeys(catalog).map((key) => {
    const t = triggers.find((q) => queueKey(q.trigger.queue) === key) as (typeof triggers)[number];
    return { key, arn: queueArnValue(t.trigger.queue) };
  });
};

/** The customer-managed KMS keys of the sqs triggers' queues (each once), as template values. */
export const catalogQueueKeys = (catalog: Catalog): CfnValue[] => {
  const keys = new Map<string, CfnValue>();
  for (const { trigger } of queueTriggers(catalog)) {
    const k = trigger.kmsKey;
    if (k !== undefined)
      keys.set(typeof k === 'string' ? k : `param:${k.param}`, typeof k === 'string' ? cfnString(k) : stringValue(k));
  }
  return [...keys.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
};

/**
 * `LONGSHORE_QUEUES`: `key=arn` pairs joined by commas (neither holds a comma or `=`), so the
 * function maps a record's eventSourceARN back to the catalog's queue, a parameter's included.
 */
export const queuesEnvironment = (catalog: Catalog): CfnValue =>
  catalogQueues(catalog).length === 0
    ? ''
    : { 'Fn::Join': [',', catalogQueues(catalog).map((q) => ({ 'Fn::Join': ['=', [q.key, q.arn]] }))] };
