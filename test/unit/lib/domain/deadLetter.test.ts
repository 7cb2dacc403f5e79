/**
 * Reading a dead-letter message (lib/domain/deadLetter.ts): a launch message names its run; Lambda's
 * invocation record, an EventBridge rule's and Scheduler's dead-letter messages each give their
 * error, the function a redrive invokes and the original event; the run is found in the event.
 */
import { describe, expect, it } from 'vitest';
import { describeDeadLetter } from '../../../../lib/domain/deadLetter.ts';

const RUN = 'csv-ingest-abcdefghijklmnopqrst';
const FN = 'arn:aws:lambda:eu-west-1:111122223333:function:longshore-prod-onTaskStateChange';

describe('Function: describeDeadLetter', () => {
  it('reads a launch message: its run and attempt, and that the launcher failed it on every receive', () => {
    // Act
    const letter = describeDeadLetter('launch', {
      messageId: 'm1',
      body: JSON.stringify({ v: 1, runId: RUN, attempt: 2 }),
      sentAt: '2026-11-22T09:00:00.000Z',
      receiveCount: 1,
    });

    // Assess
    expect(letter).toMatchObject({
      id: 'm1',
      queue: 'launch',
      kind: 'launch',
      runId: RUN,
      attempt: 2,
      receiveCount: 1,
    });
    expect(letter.error).toContain('failed it on every receive (10)');
    expect(letter.payload).toBe(JSON.stringify({ v: 1, runId: RUN, attempt: 2 }));
  });

  it('says a launch message that is not one is malformed', () => {
    // Act
    const letter = describeDeadLetter('launch', { messageId: 'm2', body: '{"v":1,"runId":"../etc"}' });

    // Assess
    expect(letter).toMatchObject({ kind: 'unknown', error: expect.stringContaining('malformed') });
    expect(letter.runId).toBeUndefined();
  });

  it("reads Lambda's invocation record: the error, the condition, the function without $LATEST, the run of the task event", () => {
    // Prepare: a task state change whose handler failed its two retries.
    const event = { source: 'aws.ecs', detail: { startedBy: `longshore/prod/${RUN}/3`, lastStatus: 'STOPPED' } };
    const record = {
      version: '1.0',
      timestamp: '2026-11-22T09:00:00.000Z',
      requestContext: {
        requestId: 'r1',
        functionArn: `${FN}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: {
        errorType: 'ProvisionedThroughputExceededException',
        errorMessage: 'Rate of requests\nexceeds',
      },
    };

    // Act
    const letter = describeDeadLetter('events', { messageId: 'm3', body: JSON.stringify(record) });

    // Assess
    expect(letter).toEqual({
      id: 'm3',
      queue: 'events',
      kind: 'function-failure',
      error: 'ProvisionedThroughputExceededException: Rate of requests exceeds (RetriesExhausted after 3 invocations)',
      runId: RUN,
      attempt: 3,
      target: FN,
      payload: event,
    });
  });

  it("reads an EventBridge rule target's dead letter: the event as body, the error in the attributes", () => {
    // Act
    const letter = describeDeadLetter('events', {
      messageId: 'm4',
      body: JSON.stringify({ 'detail-type': 'Run Failed', detail: { runId: RUN } }),
      attributes: {
        ERROR_CODE: 'NO_PERMISSIONS',
        ERROR_MESSAGE: 'Lambda rejected the invocation',
        RULE_ARN: 'arn:aws:events:eu-west-1:111122223333:rule/longshore-prod/after',
        TARGET_ARN: FN,
      },
    });

    // Assess
    expect(letter).toMatchObject({
      kind: 'rule-delivery',
      error: 'NO_PERMISSIONS: Lambda rejected the invocation',
      runId: RUN,
      target: FN,
      payload: { detail: { runId: RUN } },
    });
  });

  it("reads Scheduler's dead letter: its Input as body, the schedule named in the attributes", () => {
    // Prepare
    const input = { longshore: 'schedule', job: 'nightly-report', trigger: 0, scheduledTime: '2026-11-22T01:00:00Z' };

    // Act
    const letter = describeDeadLetter('events', {
      messageId: 'm5',
      body: JSON.stringify(input),
      attributes: {
        ERROR_CODE: 'AWS.Lambda.ThrottlingException',
        ERROR_MESSAGE: 'Rate exceeded',
        SCHEDULE_ARN:
          'arn:aws:scheduler:eu-west-1:111122223333:schedule/longshore-prod/longshore-prod-nightly-report-cron0',
        TARGET_ARN: 'arn:aws:lambda:eu-west-1:111122223333:function:longshore-prod-onSchedule',
      },
    });

    // Assess
    expect(letter).toMatchObject({
      kind: 'schedule-delivery',
      error: 'AWS.Lambda.ThrottlingException: Rate exceeded',
      target: 'arn:aws:lambda:eu-west-1:111122223333:function:longshore-prod-onSchedule',
      payload: input,
    });
  });

  it('says when a message carries no error at all, and keeps a body that is not JSON as it is', () => {
    // Act
    const letter = describeDeadLetter('events', { messageId: 'm6', body: 'not json' });

    // Assess
    expect(letter).toMatchObject({ kind: 'unknown', error: 'no error recorded with the message', payload: 'not json' });
  });
});
