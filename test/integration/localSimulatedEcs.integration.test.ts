/**
 * The simulated ECS of the local flow never crashes and never leaves a task (and so a run) without
 * its STOPPED event, whatever command it is given: a command that cannot be started is a task
 * that failed to start, as ECS reports it (TaskFailedToStart, CannotStartContainerError).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedEcs } from '../../lib/local/SimulatedEcs.ts';
import { exampleCatalog } from '../helpers/catalogs.ts';

const dir = mkdtempSync(join(tmpdir(), 'longshore-sim-ecs-'));

/** A simulated ECS whose events land in a list; resolves once the task has stopped. */
const runToStop = async (
  command: string[],
  environment: { name: string; value: string }[] = [],
): Promise<Record<string, unknown>[]> => {
  const details: Record<string, unknown>[] = [];
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const ecs = new SimulatedEcs({
    stage: 'dev',
    clusterArn: 'arn:aws:ecs:eu-west-1:000000000000:cluster/longshore-dev',
    catalog: exampleCatalog,
    script: () => undefined,
    emit: (event) => {
      const detail = event.detail as Record<string, unknown>;
      details.push(detail);
      if (detail.lastStatus === 'STOPPED') stopped();
    },
    secrets: () => ({}),
    logsDir: join(dir, 'logs'),
    bucketsDir: join(dir, 'buckets'),
    projectDir: process.cwd(),
    pace: { startMs: 10, stepMs: 20 },
  });
  ecs.runTask({
    taskDefinition: 'longshore-dev-nightly-report',
    clientToken: `token-${details.length}-${command.join(' ')}`,
    startedBy: 'longshore/dev/nightly-report-aaaaaaaaaaaaaaaaaaaa/1',
    overrides: { containerOverrides: [{ name: 'main', command, environment }] },
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
  ecs.shutdown();
  return details;
};

describe('Function: SimulatedEcs.runTask', () => {
  it.each([
    ['a NUL byte in an argument', ['node', '-e', 'process.exit(0)\u0000'], []],
    ['a NUL byte in the program', ['no\u0000de'], []],
    ['a NUL byte in an environment value', ['node', '-e', '0'], [{ name: 'X', value: 'a\u0000b' }]],
    ['a program that does not exist', ['longshore-no-such-program-7f3a'], []],
  ])('stops the task as failed to start, never RUNNING, when the command has %s', async (_what, command, env) => {
    // Act
    const details = await runToStop(command, env);

    // Assess
    expect(details.map((d) => d.lastStatus)).toEqual(['STOPPED']);
    expect(details[0]).toMatchObject({
      stopCode: 'TaskFailedToStart',
      stoppedReason: expect.stringMatching(/^CannotStartContainerError: /),
    });
    expect(details[0]?.startedAt).toBeUndefined();
  });

  it('runs a command that can start: RUNNING, then STOPPED with its exit code', async () => {
    // Act
    const details = await runToStop(['node', '-e', 'process.exit(3)']);

    // Assess
    expect(details.map((d) => d.lastStatus)).toEqual(['RUNNING', 'STOPPED']);
    expect(details[1]).toMatchObject({
      stopCode: 'EssentialContainerExited',
      containers: expect.arrayContaining([expect.objectContaining({ name: 'main', exitCode: 3 })]),
    });
  });
});

describe('Function: SimulatedEcs as ECS answers', () => {
  const simulated = () =>
    new SimulatedEcs({
      stage: 'dev',
      clusterArn: 'arn:aws:ecs:eu-west-1:000000000000:cluster/longshore-dev',
      catalog: exampleCatalog,
      script: () => undefined,
      emit: () => undefined,
      secrets: () => ({}),
      logsDir: join(dir, 'logs'),
      bucketsDir: join(dir, 'buckets'),
      projectDir: process.cwd(),
      pace: { startMs: 10, stepMs: 20 },
      recordOnly: true,
    });

  it('refuses StopTask of a task it does not know, in the words of ECS', () => {
    // Prepare
    const ecs = simulated();

    // Act
    const stop = () =>
      ecs.stopTask({ task: 'arn:aws:ecs:eu-west-1:000000000000:task/longshore-dev/0123', reason: 'x' });

    // Assess
    expect(stop).toThrow(
      expect.objectContaining({ name: 'InvalidParameterException', message: 'The referenced task was not found.' }),
    );
  });

  it('lists only the tasks it wants RUNNING unless asked for STOPPED ones, as ListTasks does by default', () => {
    // Prepare
    const ecs = simulated();
    const startedBy = 'longshore/dev/nightly-report-aaaaaaaaaaaaaaaaaaaa/1';
    const { tasks } = ecs.runTask({ taskDefinition: 'longshore-dev-nightly-report', clientToken: 'list-1', startedBy });
    const taskArn = String(tasks[0]?.taskArn);
    ecs.stopTask({ task: taskArn, reason: 'done' });

    // Act
    const byDefault = ecs.listTasks({ startedBy });
    const stopped = ecs.listTasks({ desiredStatus: 'STOPPED' });

    // Assess
    expect(byDefault.taskArns).toEqual([]);
    expect(stopped.taskArns).toEqual([taskArn]);
    ecs.shutdown();
  });
});
