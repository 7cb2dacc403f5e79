/**
 * `runs show`: what decided each attempt (that container's exit code and log stream), and "did not
 * start" with no duration, no log stream and no cost for a task that never started. The attempts
 * are as the store holds them, including records written before what-decided was fixed.
 */
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../../../lib/catalog/schema.ts';
import { validateCatalog } from '../../../../lib/catalog/validate.ts';
import { Output } from '../../../../lib/cli/Output.ts';
import { printRunHistory } from '../../../../lib/cli/views.ts';
import type { Attempt, Run } from '../../../../lib/domain/run.ts';
import { baseCatalog, baseJob, exampleCatalog } from '../../../helpers/catalogs.ts';
import { attemptItem, runItem } from '../../../helpers/items.ts';

const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/longshore-dev/a1c3e5f7b9d24680ace13579bdf02468';
const link = (group: string, prefix: string, container: string) =>
  `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/${group}/log-events/${prefix}$252F${container}$252Fa1c3e5f7b9d24680ace13579bdf02468`;

const show = (catalog: Catalog, run: Run, attempts: Attempt[], json = false): string => {
  let text = '';
  const out = new Output({ json, color: false, tty: false }, (s) => {
    text += s;
  });
  printRunHistory(out, catalog, { run, attempts });
  return text;
};

const field = (text: string, label: string): string[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${label}:`))
    .map((l) => l.slice(label.length + 1).trim());

/** csv-ingest, attempt 1, image pull failed: recorded with main's link and a duration from creation (as before the fix). */
const pullFailure = () => {
  const run = runItem(
    'csv-ingest',
    { type: 'manual', token: 'views-1' },
    { status: 'FAILED', reason: 'the image could not be pulled (the image or tag does not exist): ...' },
  );
  const attempt = attemptItem(run, {
    status: 'STOPPED',
    taskArn: TASK,
    taskCreatedAt: '2026-11-22T09:15:02.000Z',
    stoppedAt: '2026-11-22T09:16:30.000Z',
    stopCode: 'TaskFailedToStart',
    stoppedReason: 'CannotPullContainerError: ... data/ingest:1.12.0: not found',
    containers: [{ name: 'main', essential: true }],
    durationSeconds: 88,
    logLink: link('$252Flongshore$252Fdev$252Fcsv-ingest', 'longshore', 'main'),
    decision: {
      action: 'fail',
      rule: 'image-not-pullable',
      diagnosis: 'the image could not be pulled',
      next: 'giving up',
    },
  });
  return { run, attempt };
};

describe('Function: printRunHistory', () => {
  it('says a task that failed to pull its image did not start: no duration, no log stream, no cost', () => {
    // Prepare
    const { run, attempt } = pullFailure();

    // Act
    const text = show(exampleCatalog(), run, [attempt]);

    // Assess
    expect(field(text, 'started')).toEqual(['did not start (stop code TaskFailedToStart)']);
    expect(field(text, 'duration')).toEqual(['none (did not start)']);
    expect(field(text, 'decided by')).toEqual(["container 'main': did not start, no exit code"]);
    expect(field(text, 'logs')).toEqual(['none (the task did not start, so it has no log stream)']);
    expect(field(text, 'cost')).toEqual(['none (did not start)', 'none (did not start)']);
    expect(text).not.toContain('cloudwatch');
    expect(text).not.toContain('1m28s');
  });

  it('gives the JSON of a task that never started no duration, no logs and a zero cost', () => {
    // Prepare
    const { run, attempt } = pullFailure();

    // Act
    const doc = JSON.parse(show(exampleCatalog(), run, [attempt], true));

    // Assess
    expect(doc.attempts[0]).toMatchObject({ started: false, decidedBy: { container: 'main' }, costUsd: 0 });
    expect(doc.attempts[0]).not.toHaveProperty('durationSeconds');
    expect(doc.attempts[0]).not.toHaveProperty('logs');
    expect(doc.costUsd).toBe(0);
  });

  it('shows the essential sidecar that decided, with its exit code and its log stream', () => {
    // Prepare
    const catalog = validateCatalog(
      baseCatalog([
        baseJob({
          name: 'thumbnails',
          sidecars: [{ name: 'side', image: 'public.ecr.aws/acme/side:1.0.0', essential: true }],
        }),
      ]),
    );
    const run = runItem('thumbnails', { type: 'manual', token: 'views-2' }, { status: 'FAILED' });
    const sideLink = link('$252Flongshore$252Fdev$252Fthumbnails', 'longshore', 'side');
    const attempt = attemptItem(run, {
      status: 'STOPPED',
      taskArn: TASK,
      taskCreatedAt: '2026-11-22T09:15:02.000Z',
      startedAt: '2026-11-22T09:15:17.000Z',
      stoppedAt: '2026-11-22T09:27:53.000Z',
      stopCode: 'EssentialContainerExited',
      containers: [
        { name: 'main', exitCode: 0, essential: true },
        { name: 'side', exitCode: 1, essential: true },
      ],
      durationSeconds: 756,
      logLink: sideLink,
    });

    // Act
    const text = show(catalog, run, [attempt]);

    // Assess
    expect(field(text, 'decided by')).toEqual(["container 'side': exit 1"]);
    expect(field(text, 'containers')).toEqual(['main=0, side=1']);
    expect(field(text, 'duration')).toEqual(['12m36s']);
    expect(field(text, 'logs')).toEqual([`${sideLink} (container 'side')`]);
    expect(field(text, 'started')).toEqual(['2026-11-22T09:15:17.000Z']);
  });

  it('says RunTask created no task for a refused launch, and that a pending task has not started yet', () => {
    // Prepare
    const run = runItem('thumbnails', { type: 'manual', token: 'views-3' }, { status: 'STARTING', attempt: 2 });
    const refused = attemptItem({ ...run, attempt: 1 }, { status: 'LAUNCH_FAILED', launchFailure: 'RESOURCE:MEMORY' });
    const pending = attemptItem(run, { status: 'STARTING', taskArn: TASK });

    // Act
    const text = show(exampleCatalog(), run, [refused, pending]);

    // Assess
    expect(field(text, 'started')).toEqual(['did not start (RunTask created no task)', 'not yet']);
    expect(field(text, 'decided by')).toEqual(['RunTask: no task was created']);
    expect(field(text, 'logs')).toEqual(['none (the task did not start, so it has no log stream)']);
  });
});

describe('Function: printRunHistory (a fan-out parent)', () => {
  it('shows the children by status, the tolerance, and the failed children with their decisions', () => {
    // Prepare
    const run = runItem(
      'csv-ingest',
      { type: 'manual', token: 'views-fan-out' },
      {
        status: 'FAILED',
        reason: '3 of 20 children failed, more than the 2 tolerated (index 5, 6, 7)',
        fanOut: { total: 20, created: 20, tolerated: 2 },
        childCounts: { SUCCEEDED: 5, FAILED: 3 },
      },
    );
    const failed = [5, 6, 7].map((index) => ({
      index,
      runId: `csv-ingest-child${index}aaaaaaaaaaaaaaa`,
      status: 'FAILED',
      decision: 'fail [rule exit-1]: exit 1',
    }));
    let text = '';
    const out = new Output({ json: false, color: false, tty: false }, (s) => {
      text += s;
    });

    // Act
    printRunHistory(out, exampleCatalog(), {
      run,
      attempts: [],
      children: {
        total: 20,
        created: 20,
        tolerated: 2,
        counts: { SUCCEEDED: 5, FAILED: 3 },
        counted: 8,
        failed,
        moreFailed: 0,
      },
    });

    // Assess
    expect(field(text, 'children')).toEqual(['20 (2 failed tolerated): 5 SUCCEEDED, 3 FAILED; 12 not ended']);
    expect(text).toContain('Failed children');
    expect(text).toMatch(/5\s+csv-ingest-child5a+\s+FAILED\s+fail \[rule exit-1\]: exit 1/);
  });
});
