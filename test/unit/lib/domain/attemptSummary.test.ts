/**
 * What decided an attempt: started or not (ECS semantics), the deciding container with its exit
 * code, reason and log stream, the duration and whether cost applies; and the m of "attempt n of m".
 * Real event shapes from events/ecs-task-*.json where one exists.
 */
import { describe, expect, it } from 'vitest';
import { parseTaskStateChange } from '../../../../lib/contracts/ecs.ts';
import { containerResults } from '../../../../lib/domain/attemptFacts.ts';
import {
  type AttemptRecord,
  attemptsAllowed,
  logTargetOf,
  summarizeAttempt,
  summarizeTaskEvent,
} from '../../../../lib/domain/attemptSummary.ts';
import { LOST_REASON, LOST_REASON_PREFIX } from '../../../../lib/domain/stopReasons.ts';
import { loadEvent } from '../../../helpers/events.ts';
import { exampleJob } from '../../../helpers/items.ts';

const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/longshore-dev/a1c3e5f7b9d24680ace13579bdf02468';
const LOGS = { group: '/longshore/dev/csv-ingest', streamPrefix: 'longshore' };
const stream = (container: string) => `longshore/${container}/a1c3e5f7b9d24680ace13579bdf02468`;
const linkOf = (container: string) =>
  `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Flongshore$252Fdev$252Fcsv-ingest/log-events/longshore$252F${container}$252Fa1c3e5f7b9d24680ace13579bdf02468`;

const stopped = (patch: Partial<AttemptRecord> = {}): AttemptRecord => ({
  status: 'STOPPED',
  taskArn: TASK,
  taskCreatedAt: '2026-11-22T09:15:02.000Z',
  startedAt: '2026-11-22T09:15:17.000Z',
  stoppedAt: '2026-11-22T09:27:53.000Z',
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  containers: [{ name: 'main', exitCode: 0, essential: true }],
  ...patch,
});

/** A task event from events/ as the tracker sees it: containers marked essential by the job. */
const fromEvent = (file: string, job = 'csv-ingest') => {
  const d = parseTaskStateChange(loadEvent(file));
  return summarizeTaskEvent(d, containerResults(exampleJob(job), d.containers), LOGS);
};

describe('Function: summarizeAttempt', () => {
  it('names main for a clean exit, with its code, stream, duration from start to stop, and cost', () => {
    // Act
    const s = summarizeAttempt(stopped(), LOGS);

    // Assess
    expect(s).toEqual({
      started: true,
      ended: true,
      hasTask: true,
      deciding: { name: 'main', exitCode: 0 },
      exitCode: 0,
      reason: 'Essential container in task exited',
      logStream: stream('main'),
      logLink: linkOf('main'),
      durationSeconds: 756,
      costApplies: true,
    });
  });

  it('names the essential sidecar whose exit decided, not main that exited 0, and links its stream', () => {
    // Act
    const s = summarizeAttempt(
      stopped({
        containers: [
          { name: 'main', exitCode: 0, essential: true },
          { name: 'side', exitCode: 1, reason: 'boom', essential: true },
        ],
      }),
      LOGS,
    );

    // Assess
    expect(s).toMatchObject({
      deciding: { name: 'side', exitCode: 1, reason: 'boom' },
      exitCode: 1,
      reason: 'boom',
      logStream: stream('side'),
      logLink: linkOf('side'),
    });
  });

  it('ignores a non-essential sidecar that failed: main decided, the attempt succeeded', () => {
    // Act
    const s = summarizeAttempt(
      stopped({
        containers: [
          { name: 'otel', exitCode: 1, essential: false },
          { name: 'main', exitCode: 0, essential: true },
        ],
      }),
      LOGS,
    );

    // Assess
    expect(s.deciding).toEqual({ name: 'main', exitCode: 0 });
  });

  it('names the first essential container when no container is called main', () => {
    // Act
    const s = summarizeAttempt(
      stopped({
        containers: [
          { name: 'helper', exitCode: 0, essential: false },
          { name: 'app', exitCode: 0, essential: true },
        ],
      }),
    );

    // Assess
    expect(s.deciding?.name).toBe('app');
  });

  it('refuses to give a duration, a log stream or cost to a task whose image could not be pulled', () => {
    // Act
    const s = fromEvent('ecs-task-stopped-pull-failure');

    // Assess
    expect(s).toEqual({
      started: false,
      ended: true,
      hasTask: true,
      deciding: { name: 'main' },
      reason: expect.stringMatching(/^CannotPullContainerError: .*data\/ingest:1\.12\.0: not found$/),
      costApplies: false,
    });
  });

  it('refuses a duration, a log stream and cost to a task whose secrets could not be read', () => {
    // Act
    const s = fromEvent('ecs-task-stopped-secrets-failure', 'nightly-report');

    // Assess
    expect(s).toMatchObject({ started: false, ended: true, deciding: { name: 'main' }, costApplies: false });
    expect(s.reason).toMatch(/^ResourceInitializationError: unable to pull secrets/);
    expect(s).not.toHaveProperty('durationSeconds');
    expect(s).not.toHaveProperty('logLink');
  });

  it('names the container ECS gave the reason for when no container has an exit code', () => {
    // Act
    const s = summarizeAttempt(
      stopped({
        startedAt: undefined,
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError: pull access denied for acme/side',
        containers: [
          { name: 'main', essential: true },
          { name: 'side', reason: 'CannotPullContainerError: pull access denied for acme/side', essential: true },
        ],
      }),
      LOGS,
    );

    // Assess
    expect(s).toMatchObject({ started: false, deciding: { name: 'side' }, reason: expect.stringContaining('side') });
  });

  it('counts a task with an exit code as started even without startedAt, timed from its creation', () => {
    // Act
    const s = summarizeAttempt(stopped({ startedAt: undefined, containers: [{ name: 'main', exitCode: 1 }] }), LOGS);

    // Assess
    expect(s).toMatchObject({ started: true, exitCode: 1, durationSeconds: 771, logStream: stream('main') });
  });

  it('has no task, no container and no stream when RunTask refused the launch; the reason is the refusal', () => {
    // Act
    const s = summarizeAttempt({ status: 'LAUNCH_FAILED', launchFailure: 'RESOURCE:MEMORY' }, LOGS);

    // Assess
    expect(s).toEqual({
      started: false,
      ended: true,
      hasTask: false,
      reason: 'RESOURCE:MEMORY',
      costApplies: false,
    });
  });

  it('is neither started nor ended while the task is pending, and running once it started', () => {
    // Act
    const pending = summarizeAttempt({ status: 'STARTING', taskArn: TASK }, LOGS);
    const running = fromEvent('ecs-task-running', 'thumbnails');

    // Assess
    expect(pending).toEqual({ started: false, ended: false, hasTask: true, costApplies: false });
    expect(running).toMatchObject({ started: true, ended: false, deciding: { name: 'main' } });
    expect(running).not.toHaveProperty('durationSeconds');
    expect(running.logStream).toMatch(/^longshore\/main\//);
  });

  it('gives a lost task (stop time unknown) no duration, but keeps its stream', () => {
    // Act
    const s = summarizeAttempt(
      stopped({ stoppedReason: LOST_REASON, containers: [{ name: 'main', essential: true }] }),
      LOGS,
    );

    // Assess
    expect(LOST_REASON.startsWith(LOST_REASON_PREFIX)).toBe(true);
    expect(s).toMatchObject({ started: true, costApplies: true, logStream: stream('main') });
    expect(s).not.toHaveProperty('durationSeconds');
  });

  it('has no duration from unreadable timestamps, and never a negative one', () => {
    // Act
    const bad = summarizeAttempt(stopped({ stoppedAt: 'not a time' }));
    const backwards = summarizeAttempt(stopped({ stoppedAt: '2026-11-22T09:00:00.000Z' }));

    // Assess
    expect(bad).not.toHaveProperty('durationSeconds');
    expect(backwards.durationSeconds).toBe(0);
  });

  it('keeps the recorded link without a log target only for a task that started', () => {
    // Act
    const started = summarizeAttempt(stopped({ logLink: 'https://recorded' }));
    const never = summarizeAttempt(
      stopped({ startedAt: undefined, containers: [{ name: 'main' }], logLink: 'https://recorded' }),
    );

    // Assess
    expect(started).toMatchObject({ logLink: 'https://recorded' });
    expect(started).not.toHaveProperty('logStream');
    expect(never).not.toHaveProperty('logLink');
  });

  it('has no stream for a task ARN it cannot read, and no container when the task reported none', () => {
    // Act
    const s = summarizeAttempt(stopped({ taskArn: 'arn:aws:ecs:eu-west-1:1:cluster/c', containers: [] }), LOGS);

    // Assess
    expect(s).toMatchObject({ started: true, hasTask: true, reason: 'Essential container in task exited' });
    expect(s).not.toHaveProperty('deciding');
    expect(s).not.toHaveProperty('logStream');
    expect(s).not.toHaveProperty('logLink');
  });
});

describe('Function: summarizeTaskEvent', () => {
  it('reads a STOPPED event as ended, and the sidecar-free OOM event as main exiting 137', () => {
    // Act
    const s = fromEvent('ecs-task-stopped-oom');

    // Assess
    expect(s).toMatchObject({
      started: true,
      ended: true,
      exitCode: 137,
      reason: 'OutOfMemoryError: Container killed due to memory usage',
      durationSeconds: 756,
    });
  });
});

describe('Function: logTargetOf', () => {
  it('uses the job log group setting, else /longshore/<stage>/<job>, and the job stream prefix', () => {
    // Prepare
    const job = exampleJob('nightly-report');
    const own = { ...job, container: { ...job.container, logs: { ...job.container.logs, group: '/acme/report' } } };

    // Act & Assess
    expect(logTargetOf('dev', job)).toEqual({ group: '/longshore/dev/nightly-report', streamPrefix: 'report' });
    expect(logTargetOf('dev', own)).toEqual({ group: '/acme/report', streamPrefix: 'report' });
  });
});

describe('Function: attemptsAllowed', () => {
  it.each([
    ['a first attempt: every application retry still ahead', 2, 1, 0, 3],
    ['the application budget used up', 2, 3, 2, 3],
    ['an infrastructure retry taken: it comes on top', 2, 2, 0, 4],
    ['OOM grown twice, application budget untouched', 3, 3, 0, 6],
    ['more application retries counted than the policy now allows', 1, 3, 2, 3],
  ])('returns m for %s', (_what, retries, attempt, app, m) => {
    // Act & Assess
    expect(attemptsAllowed({ retries }, { attempt, retries: { app } })).toBe(m);
  });
});
