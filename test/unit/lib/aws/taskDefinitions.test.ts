/** The task definitions adapter (runs on another image, the sweeper) over a mocked ECS client. */
import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildTaskDefinitions } from '../../../../lib/aws/ecs.ts';
import { LaunchError } from '../../../../lib/errors.ts';

const ecsMock = mockClient(ECSClient);
const td = buildTaskDefinitions(new ECSClient({ region: 'eu-west-1' }));
const ARN = 'arn:aws:ecs:eu-west-1:111122223333:task-definition';

beforeEach(() => {
  ecsMock.reset();
});

const failure = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('Adapter: taskDefinitions.latest', () => {
  it("answers the family's latest ACTIVE revision as RegisterTaskDefinition takes it back, with its tags", async () => {
    // Prepare
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: `${ARN}/longshore-dev-csv-ingest:7`,
        family: 'longshore-dev-csv-ingest',
        revision: 7,
        status: 'ACTIVE',
        cpu: '1024',
        memory: '2048',
        containerDefinitions: [{ name: 'main', image: 'r/ingest:1' }],
        requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
        compatibilities: ['EC2', 'FARGATE'],
        registeredAt: new Date('2026-11-20T08:00:00.000Z'),
        registeredBy: 'arn:aws:iam::111122223333:role/cfn',
      },
      tags: [{ key: 'team', value: 'data' }],
    });

    // Act
    const out = await td.latest('longshore-dev-csv-ingest');

    // Assess
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, {
      taskDefinition: 'longshore-dev-csv-ingest',
      include: ['TAGS'],
    });
    expect(out).toEqual({
      arn: `${ARN}/longshore-dev-csv-ingest:7`,
      spec: {
        family: 'longshore-dev-csv-ingest',
        cpu: '1024',
        memory: '2048',
        containerDefinitions: [{ name: 'main', image: 'r/ingest:1' }],
      },
      tags: [{ key: 'team', value: 'data' }],
      registeredAt: '2026-11-20T08:00:00.000Z',
    });
  });

  it('answers nothing for a family without an ACTIVE revision, and a retryable LaunchError when throttled', async () => {
    // Prepare
    ecsMock
      .on(DescribeTaskDefinitionCommand, { taskDefinition: 'none' })
      .rejects(failure('ClientException', 'Unable to describe task definition.'))
      .on(DescribeTaskDefinitionCommand, { taskDefinition: 'busy' })
      .rejects(failure('ThrottlingException', 'Rate exceeded'));

    // Act
    const none = await td.latest('none');
    const busy = await td.latest('busy').catch((e: unknown) => e);

    // Assess
    expect(none).toBeUndefined();
    expect(busy).toBeInstanceOf(LaunchError);
    expect(busy).toMatchObject({ kind: 'throttled', retryable: true });
  });
});

describe('Adapter: taskDefinitions.register', () => {
  it('registers the spec with its tags and returns the ARN; a refusal is a LaunchError that fails the launch', async () => {
    // Prepare
    ecsMock
      .on(RegisterTaskDefinitionCommand, { family: 'ok' })
      .resolves({ taskDefinition: { taskDefinitionArn: `${ARN}/ok:1` } })
      .on(RegisterTaskDefinitionCommand, { family: 'bad' })
      .rejects(failure('ClientException', 'Invalid container image'));
    const spec = { family: 'ok', containerDefinitions: [{ name: 'main', image: 'r/x:2' }] };

    // Act
    const arn = await td.register(spec, [{ key: 'longshore:stage', value: 'dev' }]);
    const refused = await td.register({ ...spec, family: 'bad' }, []).catch((e: unknown) => e);

    // Assess
    expect(arn).toBe(`${ARN}/ok:1`);
    expect(ecsMock).toHaveReceivedCommandWith(RegisterTaskDefinitionCommand, {
      ...spec,
      tags: [{ key: 'longshore:stage', value: 'dev' }],
    });
    expect(refused).toMatchObject({
      kind: 'config',
      retryable: false,
      reason: 'RegisterTaskDefinition: ClientException: Invalid container image',
    });
  });
});

describe('Adapter: taskDefinitions for the sweeper', () => {
  it("pages families and revisions, keeps a family's own revisions only, reads registeredAt, deregisters", async () => {
    // Prepare
    ecsMock
      .on(ListTaskDefinitionFamiliesCommand, { nextToken: undefined })
      .resolves({ families: ['longshore-dev-a_0123456789abcdef'], nextToken: 'n' })
      .on(ListTaskDefinitionFamiliesCommand, { nextToken: 'n' })
      .resolves({ families: ['longshore-dev-b_0123456789abcdef'] });
    ecsMock.on(ListTaskDefinitionsCommand).resolves({
      taskDefinitionArns: [
        `${ARN}/fam_0123456789abcdef:2`,
        `${ARN}/fam_0123456789abcdef0:1`,
        `${ARN}/fam_0123456789abcdef:1`,
      ],
    });
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: { registeredAt: new Date('2026-11-01T00:00:00.000Z') } });
    ecsMock.on(DeregisterTaskDefinitionCommand).resolves({});

    // Act
    const families = await td.activeFamilies('longshore-dev-');
    const revisions = await td.activeRevisions('fam_0123456789abcdef');
    const at = await td.registeredAt(`${ARN}/fam_0123456789abcdef:1`);
    await td.deregister(`${ARN}/fam_0123456789abcdef:1`);

    // Assess
    expect(families).toEqual(['longshore-dev-a_0123456789abcdef', 'longshore-dev-b_0123456789abcdef']);
    expect(ecsMock).toHaveReceivedCommandWith(ListTaskDefinitionFamiliesCommand, {
      familyPrefix: 'longshore-dev-',
      status: 'ACTIVE',
    });
    expect(revisions).toEqual([`${ARN}/fam_0123456789abcdef:2`, `${ARN}/fam_0123456789abcdef:1`]);
    expect(ecsMock).toHaveReceivedCommandWith(ListTaskDefinitionsCommand, {
      familyPrefix: 'fam_0123456789abcdef',
      status: 'ACTIVE',
      sort: 'DESC',
    });
    expect(at).toBe('2026-11-01T00:00:00.000Z');
    expect(ecsMock).toHaveReceivedCommandWith(DeregisterTaskDefinitionCommand, {
      taskDefinition: `${ARN}/fam_0123456789abcdef:1`,
    });
  });
});
