/**
 * The CloudWatch Logs adapter: a stream read through the SDK's paginator to its end (where
 * GetLogEvents answers the token it was given), the last N lines in one call, a stream that does
 * not exist as no lines, other errors thrown.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildTaskLogs } from '../../../../lib/aws/logs.ts';

const logsMock = mockClient(CloudWatchLogsClient);
const logs = buildTaskLogs(new CloudWatchLogsClient({ region: 'eu-west-1' }));
const ref = { group: '/longshore/dev/csv-ingest', stream: 'longshore/main/abc' };
const at = (s: number) => Date.parse('2026-11-22T09:00:00Z') + s * 1000;

beforeEach(() => {
  logsMock.reset();
});

describe('Function: buildTaskLogs', () => {
  it('reads every page from the head and stops where GetLogEvents answers the same token', async () => {
    // Prepare
    logsMock
      .on(GetLogEventsCommand, { nextToken: undefined })
      .resolves({ events: [{ timestamp: at(1), message: 'one\n' }], nextForwardToken: 'f/1' })
      .on(GetLogEventsCommand, { nextToken: 'f/1' })
      .resolves({ events: [{ timestamp: at(2), message: 'two' }], nextForwardToken: 'f/2' })
      .on(GetLogEventsCommand, { nextToken: 'f/2' })
      .resolves({ events: [], nextForwardToken: 'f/2' });

    // Act
    const out = await logs.read(ref, { sinceMs: at(0) });

    // Assess
    expect(out).toEqual({
      lines: [
        { at: '2026-11-22T09:00:01.000Z', message: 'one' },
        { at: '2026-11-22T09:00:02.000Z', message: 'two' },
      ],
      cursor: 'f/2',
    });
    const calls = logsMock.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(3);
    // (the paginator sends one input object, its nextToken updated in place: the calls share it)
    expect(calls[0]).toMatchObject({
      logGroupName: ref.group,
      logStreamName: ref.stream,
      startFromHead: true,
      startTime: at(0),
    });
  });

  it('asks for the last N lines in one call from the tail', async () => {
    // Prepare
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ message: 'last' }], nextForwardToken: 'f/9' });

    // Act
    const out = await logs.read(ref, { tail: 20 });

    // Assess
    expect(out).toEqual({ lines: [{ message: 'last' }], cursor: 'f/9' });
    expect(logsMock.commandCalls(GetLogEventsCommand)[0]?.args[0].input).toEqual({
      logGroupName: ref.group,
      logStreamName: ref.stream,
      startFromHead: false,
      limit: 20,
    });
  });

  it('answers no lines when the stream does not exist, and throws other errors', async () => {
    // Prepare
    const missing = Object.assign(new Error('The specified log stream does not exist.'), {
      name: 'ResourceNotFoundException',
    });
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    logsMock.on(GetLogEventsCommand).rejectsOnce(missing).rejectsOnce(denied);

    // Act
    const none = await logs.read(ref, {});

    // Assess
    expect(none).toEqual({ lines: [] });
    await expect(logs.read(ref, {})).rejects.toThrow('not authorized');
  });
});
