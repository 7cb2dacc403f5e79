import { describe, expect, it } from 'vitest';
import { parseTaskStateChange, taskFromDescribe } from '../../../../lib/contracts/ecs.ts';
import { logLink, parseTaskArn } from '../../../../lib/domain/logLink.ts';
import { loadEvent } from '../../../helpers/events.ts';

describe('Function: parseTaskStateChange', () => {
  it('reads the AWS RUNNING sample and our STOPPED samples', () => {
    // Act
    const running = parseTaskStateChange(loadEvent('ecs-task-state-change-running'));
    const stopped = parseTaskStateChange(loadEvent('ecs-task-stopped-oom'));

    // Assess
    expect(running).toMatchObject({ lastStatus: 'RUNNING', version: 4, startedAt: '2020-01-23T17:57:58.103Z' });
    expect(stopped).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'main', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
    });
  });

  it('passes unknown fields and unknown stop codes through', () => {
    // Prepare
    const e = loadEvent<{ detail: Record<string, unknown> }>('ecs-task-stopped-unknown-stop-code');
    e.detail.someFieldOf2027 = { nested: true };

    // Act & Assess
    expect(parseTaskStateChange(e)).toMatchObject({
      stopCode: 'SomeFutureStopCode',
      someFieldOf2027: { nested: true },
    });
  });

  it('names what is missing in a malformed event', () => {
    // Prepare
    const e = loadEvent<{ detail: Record<string, unknown> }>('ecs-task-running');
    delete e.detail.version;

    // Act & Assess
    expect(() => parseTaskStateChange(e)).toThrowError(
      'Invalid ECS Task State Change event: detail.version: is required (number)',
    );
    expect(() => parseTaskStateChange(loadEvent('s3-object-created'))).toThrowError('source: must be "aws.ecs"');
  });

  it.each([
    ['cpu', '1 vCPU', 'detail.cpu: must be a whole number of units as a string, like "1024"'],
    ['memory', 'NaN', 'detail.memory: must be a whole number of units'],
    ['createdAt', '1', 'detail.createdAt: must be an ISO 8601 time with a zone'],
    ['stoppedAt', 'yesterday', 'detail.stoppedAt: must be an ISO 8601 time with a zone'],
    ['version', -1, 'detail.version: Too small'],
    ['version', 1.5, 'detail.version: expected int'],
  ])('refuses detail.%s = %j with a clear error instead of a NaN downstream', (field, value, message) => {
    // Prepare
    const e = loadEvent<{ detail: Record<string, unknown> }>('ecs-task-stopped-success');
    e.detail[field] = value;

    // Act & Assess
    expect(() => parseTaskStateChange(e)).toThrowError(message);
  });

  it('names the field of a DescribeTasks task that cannot become an event', () => {
    // Act & Assess
    expect(() =>
      taskFromDescribe({
        taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/1',
        clusterArn: 'arn:aws:ecs:eu-west-1:1:cluster/c',
        lastStatus: 'STOPPED',
        version: 2,
        stoppedAt: new Date(Number.NaN),
      }),
    ).toThrowError('Invalid DescribeTasks task: stoppedAt: must be an ISO 8601 time');
  });

  it('turns a DescribeTasks task (Dates) into the event detail ECS would have sent', () => {
    // Act
    const d = taskFromDescribe({
      taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/abc',
      clusterArn: 'arn:aws:ecs:eu-west-1:1:cluster/c',
      lastStatus: 'STOPPED',
      version: 6,
      startedAt: new Date('2026-11-22T09:15:17Z'),
      stoppedAt: 1795339673,
      containers: [{ name: 'main', exitCode: 0 }],
    });

    // Assess
    expect(d).toMatchObject({
      startedAt: '2026-11-22T09:15:17.000Z',
      stoppedAt: '2026-11-22T09:27:53.000Z',
      containers: [{ name: 'main', exitCode: 0 }],
    });
  });
});

describe('Function: logLink', () => {
  it('links the task log stream in the CloudWatch console, encoded as the console expects', () => {
    // Act
    const link = logLink(
      'arn:aws:ecs:eu-west-1:111122223333:task/longshore-dev/0123abcd',
      '/longshore/dev/thumbnails',
      'longshore',
      'main',
    );

    // Assess
    expect(link).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Flongshore$252Fdev$252Fthumbnails/log-events/longshore$252Fmain$252F0123abcd',
    );
  });

  it('reads old-format task ARNs too, and nothing from a non-task ARN', () => {
    // Act & Assess
    expect(parseTaskArn('arn:aws:ecs:us-east-1:1:task/0123abcd')).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      taskId: '0123abcd',
    });
    expect(logLink('arn:aws:ecs:us-east-1:1:cluster/c', '/g', 'p', 'main')).toBeUndefined();
  });
});
