/**
 * The launcher's pacer hears of every RunTask attempt ECS throttles, including those the SDK retries
 * away: a real client (no aws-sdk-client-mock, whose stub skips the middleware) over a request
 * handler that answers as ECS does.
 */
import { ECSClient, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { HttpResponse } from '@smithy/core/transport';
import { describe, expect, it } from 'vitest';
import { onRunTaskThrottled } from '../../../../lib/aws/ecs.ts';

const TASK_ARN = 'arn:aws:ecs:eu-west-1:111122223333:task/longshore-test/0123456789abcdef0123456789abcdef';

/** ECS's awsJson1_1 answers, one per attempt: 'throttle' (400 ThrottlingException) or 'ok'. */
const ecsAnswering = (answers: ('throttle' | 'ok')[]) => {
  const seen: string[] = [];
  const client = new ECSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 4,
    requestHandler: {
      handle: async (request: { headers: Record<string, string> }) => {
        seen.push(request.headers['x-amz-target'] ?? '');
        const answer = answers.shift() ?? 'ok';
        const body =
          answer === 'throttle'
            ? { __type: 'ThrottlingException', message: 'Rate exceeded' }
            : seen.at(-1)?.endsWith('RunTask')
              ? { tasks: [{ taskArn: TASK_ARN }], failures: [] }
              : { taskArns: [] };
        return {
          response: new HttpResponse({
            statusCode: answer === 'throttle' ? 400 : 200,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: Buffer.from(JSON.stringify(body)),
          }),
        };
      },
    },
  });
  return { client, seen };
};

describe('Function: onRunTaskThrottled', () => {
  it('tells the listener of each throttled RunTask attempt the SDK retried, and of none that succeeded', async () => {
    // Prepare
    const { client, seen } = ecsAnswering(['throttle', 'throttle', 'ok']);
    let throttled = 0;
    onRunTaskThrottled(client, () => {
      throttled++;
    });

    // Act
    const out = await client.send(
      new RunTaskCommand({ cluster: 'longshore-test', taskDefinition: 'longshore-test-job', clientToken: 'token-1' }),
    );

    // Assess
    expect(out.tasks?.[0]?.taskArn).toBe(TASK_ARN);
    expect(seen).toHaveLength(3);
    expect(throttled).toBe(2);
  }, 20_000);

  it('ignores throttling of other ECS calls', async () => {
    // Prepare
    const { client, seen } = ecsAnswering(['throttle', 'ok']);
    let throttled = 0;
    onRunTaskThrottled(client, () => {
      throttled++;
    });

    // Act
    await client.send(new ListTasksCommand({ cluster: 'longshore-test', startedBy: 'longshore-test' }));

    // Assess
    expect(seen).toHaveLength(2);
    expect(throttled).toBe(0);
  }, 20_000);
});
