import { describe, expect, it } from 'vitest';
import { newRun } from '../../../../lib/domain/newRun.ts';
import { buildRunTaskRequest, OVERRIDES_LIMIT, overridesSize } from '../../../../lib/domain/taskRequest.ts';
import { OverridesTooLargeError } from '../../../../lib/errors.ts';
import { ec2Catalog, exampleCatalog } from '../../../helpers/catalogs.ts';
import { NETWORKS } from '../../../helpers/fakes.ts';

const NOW = new Date('2026-11-22T10:00:00Z');
const job = (name: string) => {
  const found = [...exampleCatalog().jobs, ...ec2Catalog().jobs].find((j) => j.name === name);
  if (!found) throw new Error(name);
  return found;
};
const CLUSTER = 'arn:aws:ecs:eu-west-1:111122223333:cluster/longshore-dev';
/** The request for `run` of `j` in stage dev on the default network. */
const requestFor = (
  j: ReturnType<typeof job>,
  run: Parameters<typeof buildRunTaskRequest>[0]['run'],
  taskDefinition = 'td',
) => buildRunTaskRequest({ stage: 'dev', clusterArn: CLUSTER, job: j, run, network: NETWORKS.default, taskDefinition });

describe('Function: buildRunTaskRequest', () => {
  it('builds the exact request for an upload on Fargate Spot', () => {
    // Prepare
    const j = job('csv-ingest');
    const run = newRun(
      {
        job: j,
        trigger: {
          type: 's3',
          bucket: 'acme-partner-drop',
          key: 'incoming/a b.csv',
          versionId: 'v1',
          etag: 'e1',
          size: 10,
        },
      },
      NOW,
    );

    // Act
    const request = requestFor(j, run, 'longshore-dev-csv-ingest');

    // Assess
    expect(request).toEqual({
      cluster: CLUSTER,
      taskDefinition: 'longshore-dev-csv-ingest',
      count: 1,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      platformVersion: 'LATEST',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0a1b2c3d4e5f60718'],
          securityGroups: ['sg-0123456789abcdef0'],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides: {
        containerOverrides: [
          {
            name: 'main',
            environment: [
              { name: 'LONGSHORE_STAGE', value: 'dev' },
              { name: 'LONGSHORE_JOB', value: 'csv-ingest' },
              { name: 'LONGSHORE_RUN_ID', value: run.runId },
              { name: 'LONGSHORE_ATTEMPT', value: '1' },
              { name: 'LONGSHORE_TRIGGER', value: 's3' },
              { name: 'S3_BUCKET', value: 'acme-partner-drop' },
              { name: 'S3_KEY', value: 'incoming/a b.csv' },
              { name: 'S3_VERSION_ID', value: 'v1' },
              { name: 'S3_ETAG', value: 'e1' },
              { name: 'S3_SIZE', value: '10' },
            ],
          },
        ],
      },
      startedBy: `longshore/dev/${run.runId}/1`,
      tags: [
        { key: 'longshore:job', value: 'csv-ingest' },
        { key: 'longshore:run', value: run.runId },
        { key: 'longshore:attempt', value: '1' },
      ],
      propagateTags: 'TASK_DEFINITION',
      enableECSManagedTags: true,
      clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(request).not.toHaveProperty('launchType');
  });

  it('overrides task size when the run differs from the job, and the command and environment of a manual run', () => {
    // Prepare
    const j = job('nightly-report');
    const run = newRun(
      {
        job: j,
        trigger: { type: 'manual', token: 't' },
        overrides: {
          cpu: 2048,
          memory: 8192,
          command: ['python', '-m', 'reporter', '--period', '2026-10'],
          environment: [{ name: 'REPORT_FORMAT', value: 'csv' }],
        },
      },
      NOW,
    );

    // Act
    const { overrides } = requestFor(j, run);

    // Assess
    expect(overrides).toMatchObject({
      cpu: '2048',
      memory: '8192',
      containerOverrides: [{ command: ['python', '-m', 'reporter', '--period', '2026-10'] }],
    });
    expect(overrides.containerOverrides[0]?.environment).toContainEqual({ name: 'REPORT_FORMAT', value: 'csv' });
  });

  it('places EC2 tasks by the job strategy and constraints, without a platform version', () => {
    // Prepare
    const j = job('gpu-transcode');
    const run = newRun({ job: j, trigger: { type: 'manual', token: 't' } }, NOW);

    // Act
    const request = requestFor(j, run);

    // Assess
    expect(request.capacityProviderStrategy).toEqual([{ capacityProvider: 'gpu-g5', weight: 1 }]);
    expect(request.placementStrategy).toEqual([
      { type: 'binpack', field: 'memory' },
      { type: 'spread', field: 'attribute:ecs.availability-zone' },
    ]);
    expect(request.placementConstraints).toEqual([
      { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ g5.*' },
      { type: 'distinctInstance' },
    ]);
    expect(request.platformVersion).toBeUndefined();
  });

  it('puts a schedule tick time in SCHEDULED_TIME', () => {
    // Prepare
    const j = job('nightly-report');
    const run = newRun(
      {
        job: j,
        trigger: { type: 'schedule', schedule: 'arn:aws:scheduler:x', scheduledTime: '2026-11-22T01:00:00.000Z' },
      },
      NOW,
    );

    // Act
    const env = requestFor(j, run).overrides.containerOverrides[0]?.environment;

    // Assess
    expect(env).toContainEqual({ name: 'SCHEDULED_TIME', value: '2026-11-22T01:00:00.000Z' });
  });

  it('refuses overrides above 8,192 characters, counting the JSON, and accepts them up to the limit', () => {
    // Prepare
    const j = job('thumbnails');
    const base = newRun({ job: j, trigger: { type: 'manual', token: 't' } }, NOW);
    const build = (value: string) =>
      requestFor(j, { ...base, overrides: { environment: [{ name: 'PAYLOAD', value }] } });
    const empty = overridesSize(build('').overrides);

    // Act & Assess
    expect(overridesSize(build('x'.repeat(OVERRIDES_LIMIT - empty)).overrides)).toBe(OVERRIDES_LIMIT);
    expect(() => build('x'.repeat(OVERRIDES_LIMIT - empty + 1))).toThrow(OverridesTooLargeError);
    expect(() => build('x'.repeat(OVERRIDES_LIMIT - empty + 1))).toThrow(
      `RunTask overrides are ${OVERRIDES_LIMIT + 1} characters; ECS allows 8192`,
    );
  });
});
