/**
 * Every trigger queue exists in the Region of the stage, lets its event source mapping be created
 * (visibility timeout at least onMessage's timeout), and, when a customer-managed key encrypts it,
 * the catalog names that key so onMessage's role may decrypt what it receives.
 */
import { isParamRef } from '../../catalog/stageParams.ts';
import { MESSAGE_FUNCTION_TIMEOUT_SECONDS, queueKey, queueTriggers } from '../../domain/eventTrigger.ts';
import type { DoctorPorts } from '../../ports.ts';
import { add, type CheckContext, concrete } from '../context.ts';

/** The AWS managed key for SQS: its key policy already lets the account's principals use it through SQS. */
const AWS_MANAGED_KEY = /(^|:)alias\/aws\/sqs$/;
/** Lambda's recommendation: six times the function timeout (Lambda developer guide, SQS event source mappings). */
const RECOMMENDED_VISIBILITY = 6 * MESSAGE_FUNCTION_TIMEOUT_SECONDS;

/** Whether the catalog's key ARN names the key SQS reports (a key id or key ARN; an alias cannot be told apart here). */
const sameKey = (declared: string, reported: string): boolean | undefined => {
  if (reported.includes('alias/')) return undefined;
  const id = reported.startsWith('arn:') ? reported.split('key/')[1] : reported;
  return declared.endsWith(`:key/${id}`);
};

export const checkQueues = async (ctx: CheckContext, ports: Pick<DoctorPorts, 'queues'>): Promise<string> => {
  const triggers = queueTriggers(ctx.input.catalog);
  if (triggers.length === 0) return 'no sqs triggers';
  const keys = [...new Set(triggers.map((t) => queueKey(t.trigger.queue)))].sort();
  let checked = 0;
  for (const key of keys) {
    const ofQueue = triggers.filter((t) => queueKey(t.trigger.queue) === key);
    const jobs = [...new Set(ofQueue.map((t) => t.job.name))].join(', ');
    const q = ofQueue[0]?.trigger.queue;
    const arn = q === undefined ? undefined : isParamRef(q) ? ctx.params.get(q.param)?.[0] : concrete(ctx, q);
    // A stage parameter that is not set is the stage-parameters check's finding.
    if (!arn) continue;
    checked++;
    const region = arn.split(':')[3];
    if (region !== ctx.input.region) {
      add(ctx, {
        check: 'queues',
        severity: 'blocking',
        subject: arn,
        what: `queue ${arn} (sqs trigger of ${jobs}) is in ${region}, not in the stage's Region ${ctx.input.region}`,
        why: "an event source mapping reads queues of its function's own Region only: the deploy fails",
        fix: `use a queue in ${ctx.input.region} (or deploy the stage to ${region})`,
      });
      continue;
    }
    const state = await ports.queues.state(arn);
    if (state.exists !== 'yes') {
      add(ctx, {
        check: 'queues',
        severity: state.exists === 'no' ? 'blocking' : 'warning',
        subject: arn,
        what:
          state.exists === 'no'
            ? `queue ${arn} (sqs trigger of ${jobs}) does not exist`
            : `queue ${arn} exists but these credentials may not read its attributes`,
        why:
          state.exists === 'no'
            ? 'CloudFormation cannot create the event source mapping of a queue that does not exist: the deploy fails'
            : 'its visibility timeout and encryption could not be checked',
        fix:
          state.exists === 'no'
            ? `aws sqs create-queue --region ${ctx.input.region} --queue-name ${arn.split(':')[5]} --attributes VisibilityTimeout=${RECOMMENDED_VISIBILITY}  (or fix the queue in the catalog)`
            : `aws sqs get-queue-attributes --queue-url <its URL> --attribute-names VisibilityTimeout KmsMasterKeyId  (with credentials that may)`,
      });
      continue;
    }
    const url = `https://sqs.${region}.amazonaws.com/${arn.split(':')[4]}/${arn.split(':')[5]}`;
    const visibility = state.visibilityTimeoutSeconds;
    if (visibility !== undefined && visibility < RECOMMENDED_VISIBILITY) {
      const blocking = visibility < MESSAGE_FUNCTION_TIMEOUT_SECONDS;
      add(ctx, {
        check: 'queues',
        severity: blocking ? 'blocking' : 'warning',
        subject: arn,
        what: `queue ${arn} has a visibility timeout of ${visibility} s; onMessage's timeout is ${MESSAGE_FUNCTION_TIMEOUT_SECONDS} s`,
        why: blocking
          ? `Lambda refuses the event source mapping ("Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${MESSAGE_FUNCTION_TIMEOUT_SECONDS} seconds"): the deploy fails`
          : `Lambda recommends at least six times the function timeout (${RECOMMENDED_VISIBILITY} s): with less, a throttled batch can be received again while it is being handled`,
        fix: `aws sqs set-queue-attributes --region ${region} --queue-url ${url} --attributes VisibilityTimeout=${RECOMMENDED_VISIBILITY}`,
      });
    }
    const reported = state.kmsKeyId;
    if (reported && !AWS_MANAGED_KEY.test(reported)) {
      const declared = ofQueue.map((t) => t.trigger.kmsKey).find((k) => k !== undefined);
      const declaredArn =
        declared === undefined
          ? undefined
          : isParamRef(declared)
            ? ctx.params.get(declared.param)?.[0]
            : concrete(ctx, declared);
      const matches = declaredArn === undefined ? false : sameKey(declaredArn, reported);
      if (declared === undefined || matches === false) {
        add(ctx, {
          check: 'queues',
          severity: 'blocking',
          subject: arn,
          what:
            declared === undefined
              ? `queue ${arn} is encrypted with the customer-managed key ${reported}, and its sqs trigger (${jobs}) names no kmsKey`
              : `queue ${arn} is encrypted with the key ${reported}, not the kmsKey its sqs trigger names (${declaredArn})`,
          why: 'onMessage may not decrypt what it receives: the event source mapping fails on every message and no run starts',
          fix: `set kmsKey on the sqs trigger of ${jobs} to the key's ARN: aws kms describe-key --region ${region} --key-id ${reported} --query KeyMetadata.Arn --output text`,
        });
      } else if (matches === undefined) {
        add(ctx, {
          check: 'queues',
          severity: 'warning',
          subject: arn,
          what: `queue ${arn} names its key by the alias ${reported}: the doctor cannot tell whether it is the kmsKey ${declaredArn}`,
          why: 'if it is another key, onMessage may not decrypt what it receives',
          fix: `aws kms describe-key --region ${region} --key-id ${reported} --query KeyMetadata.Arn --output text  (must print ${declaredArn})`,
        });
      }
    }
  }
  return `${checked} queue${checked === 1 ? '' : 's'}`;
};
