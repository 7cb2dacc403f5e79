import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functions } from '../../functions/index.ts';
import type { Catalog } from '../../lib/catalog/schema.ts';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import { LONGEST_REGION, logGroupName, MAX_STAGE_LENGTH, NAME_LIMITS } from '../../lib/domain/names.ts';
import type { CfnResource } from '../../lib/infra/cfn.ts';
import { PROTECTED_STAGES, stageFromArgv } from '../../lib/infra/context.ts';
import { tableGrants } from '../../lib/infra/functionSpec.ts';
import { jobLogicalId } from '../../lib/infra/jobResources.ts';
import { catalogQueues } from '../../lib/infra/queues.ts';
import { buildService } from '../../lib/infra/service.ts';
import { keyFilter } from '../../lib/infra/triggers.ts';
import { baseCatalog, baseJob, ec2Catalog, exampleCatalog } from '../helpers/catalogs.ts';
import {
  asList,
  iamStatements,
  resourcesOfType,
  resourceTags,
  subWith,
  tagProblems,
  UNPINNED_WILDCARDS,
  WILDCARD_RESOURCE_EXCEPTIONS,
} from '../helpers/template.ts';

const build = (catalog: Catalog, stage = 'dev') => {
  const { config } = buildService({ stage, catalog, protectedStages: PROTECTED_STAGES }, functions);
  const resources = config.resources?.Resources as unknown as Record<string, CfnResource>;
  return { config, resources };
};

const catalogs: [string, () => Catalog][] = [
  ['example', exampleCatalog],
  ['ec2 gpu', ec2Catalog],
];

describe('Service definition (serverless.ts)', () => {
  it.each(catalogs)('gives every job of the %s catalog a task definition, task role and log group', (_name, load) => {
    // Prepare
    const catalog = load();

    // Act
    const { resources } = build(catalog);

    // Assess
    for (const job of catalog.jobs) {
      const id = job.name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
      expect(resources[`Job${id}TaskDefinition`]?.Type).toBe('AWS::ECS::TaskDefinition');
      expect(resources[`Job${id}TaskRole`]?.Type).toBe('AWS::IAM::Role');
      expect(resources[`Job${id}LogGroup`]?.Type).toBe('AWS::Logs::LogGroup');
    }
  });

  it('renders secrets as valueFrom references exactly as declared, never as values', () => {
    // Act
    const { resources } = build(exampleCatalog());

    // Assess
    const containers = resources.JobNightlyReportTaskDefinition?.Properties?.ContainerDefinitions as {
      Name: string;
      Secrets?: unknown;
      Environment: { Name: string }[];
    }[];
    expect(containers[0]?.Secrets).toEqual([
      {
        Name: 'DB_PASSWORD',
        ValueFrom: {
          'Fn::Sub':
            'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/finance/reporting/db-password',
        },
      },
      {
        Name: 'SMTP_TOKEN',
        ValueFrom: {
          'Fn::Sub':
            'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:finance/smtp-Qx7YtZ:token:AWSCURRENT:',
        },
      },
    ]);
    expect(containers[0]?.Environment.map((e) => e.Name)).not.toContain('DB_PASSWORD');
  });

  it('builds Fargate task definitions with size, platform, storage, EFS and sidecars', () => {
    // Act
    const { resources } = build(exampleCatalog());

    // Assess
    expect(resources.JobNightlyReportTaskDefinition?.Properties).toMatchObject({
      Family: 'longshore-dev-nightly-report',
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '1024',
      Memory: '4096',
      EphemeralStorage: { SizeInGiB: 50 },
      Volumes: [
        { Name: 'spool' },
        {
          Name: 'archive',
          EFSVolumeConfiguration: {
            FilesystemId: { Ref: 'ParamArchiveFileSystemId' },
            TransitEncryption: 'ENABLED',
            AuthorizationConfig: { IAM: 'ENABLED', AccessPointId: { Ref: 'ParamArchiveAccessPointId' } },
          },
        },
      ],
    });
    const sidecar = (
      (resources.JobNightlyReportTaskDefinition?.Properties?.ContainerDefinitions ?? []) as Record<string, unknown>[]
    )[1];
    expect(sidecar).toMatchObject({
      Name: 'otel-collector',
      Essential: false,
      MountPoints: [{ SourceVolume: 'spool' }],
    });
    expect(resources.JobThumbnailsTaskDefinition?.Properties?.RuntimePlatform).toEqual({
      CpuArchitecture: 'ARM64',
      OperatingSystemFamily: 'LINUX',
    });
  });

  it('builds EC2 task definitions with GPUs and associates the capacity provider with the created cluster', () => {
    // Act
    const { resources } = build(ec2Catalog());

    // Assess
    const td = resources.JobGpuTranscodeTaskDefinition?.Properties;
    expect(td?.RequiresCompatibilities).toEqual(['EC2']);
    expect(((td?.ContainerDefinitions ?? []) as Record<string, unknown>[])[0]?.ResourceRequirements).toEqual([
      { Type: 'GPU', Value: '1' },
    ]);
    expect(resources.JobsCluster?.Properties?.CapacityProviders).toEqual(['FARGATE', 'FARGATE_SPOT', 'gpu-g5']);
  });

  it("gives each job its own execution role, reading exactly that job's parameters, secrets, env files, images and log group", () => {
    // Act
    const { resources } = build(exampleCatalog());

    // Assess
    const roleOf = (job: string) =>
      Object.fromEntries(
        iamStatements(resources)
          .filter((s) => s.where.startsWith(`Job${job}ExecutionRole/`))
          .map((s) => [s.statement.Sid, s.statement]),
      );
    const report = roleOf('NightlyReport');
    expect(Object.keys(report).sort()).toEqual(
      [
        'EcrAuth',
        'LocateEnvironmentFileBuckets',
        'PullImages',
        'ReadEnvironmentFiles',
        'ReadParameters',
        'ReadSecrets',
        'WriteJobLogs',
      ].sort(),
    );
    expect(report.ReadParameters?.Resource).toEqual([
      {
        'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/finance/reporting/db-password',
      },
    ]);
    expect(report.ReadSecrets?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:finance/smtp-Qx7YtZ' },
    ]);
    expect(report.PullImages?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/finance/reporter' },
    ]);
    expect(report.WriteJobLogs?.Resource).toEqual([
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/longshore/dev/nightly-report:log-stream:*',
      },
    ]);
    expect(report.ReadEnvironmentFiles?.Resource).toEqual(['arn:aws:s3:::acme-config/reporter/prod.env']);
    expect(report.LocateEnvironmentFileBuckets?.Resource).toEqual(['arn:aws:s3:::acme-config']);
    const ingest = roleOf('CsvIngest');
    expect(Object.keys(ingest).sort()).toEqual(['EcrAuth', 'PullImages', 'ReadSecrets', 'WriteJobLogs']);
    expect(ingest.ReadSecrets?.Resource).toEqual([
      {
        'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/warehouse-Hn3Kd9',
      },
    ]);
    // thumbnails references no secret: its execution role reads none.
    expect(Object.keys(roleOf('Thumbnails')).sort()).toEqual(['EcrAuth', 'PullImages', 'WriteJobLogs']);
  });

  it.each(catalogs)(
    "names in each task definition its job's own execution role, which reads no other job's secret (%s)",
    (_n, load) => {
      // Prepare
      const catalog = load();

      // Act
      const { resources } = build(catalog);

      // Assess
      const secretResources = (id: string) =>
        iamStatements(resources)
          .filter((s) => s.where.startsWith(`${id}/`))
          .filter((s) =>
            /^(ssm:GetParameters|secretsmanager:GetSecretValue|kms:Decrypt|s3:GetObject)$/.test(
              String(asList(s.statement.Action)[0]),
            ),
          )
          .flatMap((s) => asList(s.statement.Resource).map((r) => JSON.stringify(r)));
      const byJob = new Map(
        catalog.jobs.map((j) => [j.name, new Set(secretResources(jobLogicalId(j.name, 'ExecutionRole')))]),
      );
      for (const job of catalog.jobs) {
        const td = resources[jobLogicalId(job.name, 'TaskDefinition')]?.Properties;
        expect(td?.ExecutionRoleArn, job.name).toEqual({
          'Fn::GetAtt': [jobLogicalId(job.name, 'ExecutionRole'), 'Arn'],
        });
        for (const other of catalog.jobs.filter((o) => o.name !== job.name)) {
          const mine = byJob.get(job.name) ?? new Set();
          const theirsOnly = [...(byJob.get(other.name) ?? [])].filter((r) => !mine.has(r));
          for (const r of theirsOnly) expect(mine.has(r), `${job.name} reads ${other.name}'s ${r}`).toBe(false);
        }
      }
      expect(resourcesOfType(resources, 'AWS::IAM::Role').map(([id]) => id)).not.toContain('TaskExecutionRole');
    },
  );

  it('grants kms:Decrypt only for keys a secret names, to the job that names it', () => {
    // Prepare
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const withKey = validateCatalog(
      baseCatalog([
        baseJob({ container: { image: 'x:1', secrets: { A: { ssm: '/a', kmsKey: key } } } }),
        baseJob({ name: 'other', container: { image: 'x:1', secrets: { B: { ssm: '/b' } } } }),
      ]),
    );

    // Act
    const executionRoles = (c: Catalog) =>
      iamStatements(build(c).resources).filter((s) => /^Job\w+ExecutionRole\//.test(s.where));
    const decrypting = (c: Catalog) =>
      executionRoles(c).filter((s) => asList(s.statement.Action).includes('kms:Decrypt'));

    // Assess
    expect(executionRoles(exampleCatalog()).flatMap((s) => asList(s.statement.Action))).not.toContain('kms:Decrypt');
    expect(decrypting(withKey).map((s) => [s.where, s.statement.Resource])).toEqual([
      ['JobThumbsExecutionRole/execution/DecryptSecrets', [key]],
    ]);
  });

  it.each(catalogs)('lets the launcher pass only the job roles, and only to ECS tasks (%s)', (_n, load) => {
    // Prepare
    const catalog = load();

    // Act
    const { resources } = build(catalog);

    // Assess
    const passing = iamStatements(resources).filter(
      (s) => asList(s.statement.Action).includes('iam:PassRole') && s.where.startsWith('LauncherRole/'),
    );
    expect(passing.map((s) => s.where)).toEqual(['LauncherRole/launcher/PassTaskRoles']);
    const statement = passing[0]?.statement;
    expect(asList(statement?.Action)).toEqual(['iam:PassRole']);
    expect(statement?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(asList(statement?.Resource)).toEqual(
      catalog.jobs.flatMap((j) => [
        { 'Fn::GetAtt': [jobLogicalId(j.name, 'ExecutionRole'), 'Arn'] },
        { 'Fn::GetAtt': [jobLogicalId(j.name, 'TaskRole'), 'Arn'] },
      ]),
    );
  });

  it.each(catalogs)(
    'lets only the control function pass the scheduler role, only to Scheduler, and only when a job has a schedule (%s)',
    (_n, load) => {
      // Prepare
      const catalog = load();
      const scheduled = catalog.jobs.some((j) => j.triggers.some((t) => t.type === 'schedule' && t.enabled));

      // Act
      const statements = iamStatements(build(catalog).resources);

      // Assess
      const passing = statements.filter(
        (s) => asList(s.statement.Action).includes('iam:PassRole') && !s.where.startsWith('LauncherRole/'),
      );
      expect(passing.map((s) => s.where)).toEqual(scheduled ? ['ControlRole/control/PassSchedulerRole'] : []);
      if (scheduled) {
        expect(asList(passing[0]?.statement.Resource)).toEqual([{ 'Fn::GetAtt': ['SchedulerRole', 'Arn'] }]);
        expect(passing[0]?.statement.Condition).toEqual({
          StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
        });
      }
      const toggling = statements.filter((s) =>
        asList(s.statement.Action).some((a) => String(a).startsWith('scheduler:')),
      );
      expect(toggling.map((s) => s.where)).toEqual(scheduled ? ['ControlRole/control/ToggleSchedules'] : []);
      expect(toggling.flatMap((s) => asList(s.statement.Action))).toEqual(
        scheduled ? ['scheduler:GetSchedule', 'scheduler:UpdateSchedule'] : [],
      );
    },
  );

  it.each(catalogs)(
    'has no IAM statement with Resource "*" or a wildcard action, except the listed ones (%s)',
    (_n, load) => {
      // Act
      const statements = iamStatements(build(load()).resources);

      // Assess
      for (const { where, statement } of statements) {
        const actions = asList(statement.Action);
        for (const action of actions) expect(action, where).not.toMatch(/\*/);
        if (asList(statement.Resource).includes('*')) {
          expect(actions.length, where).toBe(1);
          expect(Object.keys(WILDCARD_RESOURCE_EXCEPTIONS), where).toContain(actions[0]);
        }
      }
    },
  );

  it('scopes each function to its own role and its own statements', () => {
    // Act
    const { config, resources } = build(exampleCatalog());
    const actionsOf = (role: string) =>
      new Set(
        iamStatements(resources)
          .filter((s) => s.where.startsWith(`${role}/`))
          .flatMap((s) => asList(s.statement.Action)),
      );

    // Assess
    for (const [key, fn] of Object.entries(config.functions ?? {}))
      expect((fn as { role?: string }).role).toBe(`${key[0]?.toUpperCase()}${key.slice(1)}Role`);
    expect(actionsOf('LauncherRole').has('ecs:RunTask')).toBe(true);
    expect(actionsOf('OnUploadRole').has('ecs:RunTask')).toBe(false);
    expect(actionsOf('AlertRole')).toEqual(
      new Set([
        // the alert markers (once per run and final status): claimAlert, recordAlertSent
        'dynamodb:UpdateItem',
        'dynamodb:GetItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        // the deciding container's last log lines, quoted in the alert
        'logs:GetLogEvents',
        'sns:Publish',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'secretsmanager:GetSecretValue',
        'sqs:SendMessage',
      ]),
    );
  });

  it.each(catalogs)(
    "scopes every function's statements to this stack's table, bus, topic, queues, cluster and its own log group (%s)",
    (_n, load) => {
      // Prepare
      const catalog = load();
      const json = (v: unknown) => JSON.stringify(v) ?? '';
      const clusterScoped = (st: { Condition?: unknown }) => json(st.Condition).includes('"ecs:cluster"');
      /** The resources a statement of function `fn` may name, by the action's service. */
      const allowed = (fn: string, action: string, resource: unknown, st: { Condition?: unknown }): boolean => {
        const r = json(resource);
        const [service] = action.split(':');
        if (resource === '*')
          return (
            Object.keys(WILDCARD_RESOURCE_EXCEPTIONS).includes(action) &&
            (clusterScoped(st) ||
              (action in UNPINNED_WILDCARDS &&
                (UNPINNED_WILDCARDS[action] === undefined ||
                  json(st.Condition).includes(UNPINNED_WILDCARDS[action] as string))))
          );
        switch (service) {
          case 'dynamodb':
            return (
              r === json({ 'Fn::GetAtt': ['RunsTable', 'Arn'] }) ||
              r === json({ 'Fn::Sub': '${RunsTable.Arn}/index/*' })
            );
          case 'events':
            return r === json({ 'Fn::GetAtt': ['RunEventsBus', 'Arn'] });
          case 'sns':
            return r === json({ Ref: 'AlertTopic' });
          case 'kms':
            return r === json({ 'Fn::GetAtt': ['AlertTopicKey', 'Arn'] });
          case 'sqs':
            // The sqs triggers' own queues, to onMessage only, for consuming only.
            if (
              fn === 'onMessage' &&
              ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].includes(action)
            )
              return catalogQueues(catalog).some((q) => r === json(q.arn));
            return ['LaunchQueue', 'EventsDeadLetterQueue'].some((q) => r === json({ 'Fn::GetAtt': [q, 'Arn'] }));
          case 'logs':
            return (
              r ===
                json({
                  'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/longshore-dev-${fn}:*`,
                }) ||
              // the alert reads the streams of the log groups of the jobs that alert, nothing else
              (fn === 'alert' &&
                action === 'logs:GetLogEvents' &&
                catalog.jobs.some(
                  (j) =>
                    j.alerts !== false &&
                    r ===
                      json({
                        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroupName('dev', j)}:log-stream:*`,
                      }),
                )) ||
              // the tracker and the sweeper read the main streams of the jobs that declare a result
              (['onTaskStateChange', 'sweeper'].includes(fn) &&
                action === 'logs:GetLogEvents' &&
                catalog.jobs.some(
                  (j) =>
                    j.result?.lastLogLine === true &&
                    r ===
                      json({
                        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroupName('dev', j)}:log-stream:${j.container.logs.streamPrefix}/main/*`,
                      }),
                ))
            );
          case 'ecs':
            return (
              clusterScoped(st) ||
              (action === 'ecs:TagResource' && json(st.Condition).includes('"ecs:CreateAction":"RunTask"')) ||
              // tagging a derived revision of a job's runs on another image as it is registered
              (action === 'ecs:TagResource' &&
                json(st.Condition).includes('"ecs:CreateAction":"RegisterTaskDefinition"') &&
                /task-definition\/longshore-dev-[a-z0-9-]+_\*:\*"/.test(r))
            );
          case 'scheduler':
            // jobs pause / resume: the stage's enabled schedules, each by name, to control only
            return (
              fn === 'control' &&
              catalog.jobs.some((j) =>
                j.triggers.some(
                  (t, i) =>
                    t.type === 'schedule' &&
                    t.enabled &&
                    r ===
                      json({
                        'Fn::Sub': `arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/longshore-dev/longshore-dev-${j.name}-cron${i}`,
                      }),
                ),
              )
            );
          case 'iam':
            if (fn === 'control') return r === json({ 'Fn::GetAtt': ['SchedulerRole', 'Arn'] });
            return catalog.jobs.some((j) =>
              [jobLogicalId(j.name, 'ExecutionRole'), jobLogicalId(j.name, 'TaskRole')].some(
                (id) => r === json({ 'Fn::GetAtt': [id, 'Arn'] }),
              ),
            );
          case 'secretsmanager':
            return Object.values(catalog.alerts).some(
              (a) => a.webhookSecret !== undefined && r.includes(`:secret:${a.webhookSecret}-??????`),
            );
          default:
            return false;
        }
      };

      // Act
      const { config, resources } = build(catalog);

      // Assess
      const problems: string[] = [];
      for (const fn of Object.keys(config.functions ?? {})) {
        const role = `${fn[0]?.toUpperCase()}${fn.slice(1)}Role`;
        for (const { where, statement } of iamStatements(resources).filter((s) => s.where.startsWith(`${role}/`))) {
          expect(statement.Effect, where).toBe('Allow');
          for (const action of asList(statement.Action))
            for (const resource of asList(statement.Resource))
              if (!allowed(fn, action, resource, statement)) problems.push(`${where}: ${action} on ${json(resource)}`);
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it('points every handler at an existing file', () => {
    // Act
    const { config } = build(exampleCatalog());

    // Assess
    for (const fn of Object.values(config.functions ?? {})) {
      const handler = (fn as { handler: string }).handler;
      expect(existsSync(`${handler.replace(/\.handler$/, '')}.ts`), handler).toBe(true);
    }
  });

  it('keeps function and role names within limits for the longest stage and Region', () => {
    // Prepare
    const stage = 'x'.repeat(MAX_STAGE_LENGTH);
    const region = LONGEST_REGION;

    // Act
    const { config, resources } = build(exampleCatalog(), stage);

    // Assess
    for (const key of Object.keys(config.functions ?? {}))
      expect(`longshore-${stage}-${key}`.length).toBeLessThanOrEqual(NAME_LIMITS.lambdaFunction);
    for (const [id, role] of resourcesOfType(resources, 'AWS::IAM::Role')) {
      expect(subWith(role.Properties?.RoleName, region).length, id).toBeLessThanOrEqual(NAME_LIMITS.iamRole);
    }
    for (const [id, rule] of resourcesOfType(resources, 'AWS::Events::Rule'))
      expect(String(rule.Properties?.Name).length, id).toBeLessThanOrEqual(NAME_LIMITS.eventRule);
    for (const [id, s] of resourcesOfType(resources, 'AWS::Scheduler::Schedule'))
      expect(String(s.Properties?.Name).length, id).toBeLessThanOrEqual(NAME_LIMITS.schedule);
  });

  it('contains no account id literal, so the template deploys to any account', () => {
    // Act
    const json = JSON.stringify(build(exampleCatalog()).config);

    // Assess
    expect(json).not.toMatch(/(?<![0-9])[0-9]{12}(?![0-9])/);
  });

  it('routes each bucket through one rule whose key filters OR the jobs triggers', () => {
    // Act
    const { resources } = build(exampleCatalog());

    // Assess
    const rules = resourcesOfType(resources, 'AWS::Events::Rule').filter(([id]) => id.startsWith('S3Rule'));
    const patterns = Object.fromEntries(
      rules.map(([, r]) => {
        const p = r.Properties?.EventPattern as { detail: { bucket: { name: string[] }; object?: { key: unknown[] } } };
        return [p.detail.bucket.name[0], p.detail.object?.key];
      }),
    );
    expect(patterns).toEqual({
      'acme-media-uploads': [{ wildcard: 'uploads/*.jpg' }, { wildcard: 'uploads/*.jpeg' }],
      'acme-partner-drop': [{ wildcard: 'incoming/*.csv' }],
    });
  });

  it('filters task state changes to our cluster, our stage and the statuses the tracker needs', () => {
    // Act
    const { resources } = build(exampleCatalog());

    // Assess
    expect(resources.TaskStateRule?.Properties?.EventPattern).toMatchObject({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { startedBy: [{ prefix: 'longshore/dev/' }], lastStatus: ['RUNNING', 'STOPPED'] },
    });
  });

  it('creates one Scheduler schedule per schedule trigger, in its time zone, with our own input', () => {
    // Act
    const { resources } = build(exampleCatalog());

    // Assess
    const schedule = resources.JobNightlyReportSchedule0?.Properties;
    expect(schedule).toMatchObject({
      Name: 'longshore-dev-nightly-report-cron0',
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    const input = JSON.parse(((schedule?.Target ?? {}) as { Input: string }).Input);
    expect(input).toEqual({
      longshore: 'schedule',
      job: 'nightly-report',
      trigger: 0,
      scheduleArn: '<aws.scheduler.schedule-arn>',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });

  it('protects and retains the table in production stages only', () => {
    // Act
    const dev = build(exampleCatalog(), 'dev').resources.RunsTable;
    const prod = build(exampleCatalog(), 'prod').resources.RunsTable;

    // Assess
    expect(dev?.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: false,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(dev?.DeletionPolicy).toBeUndefined();
    expect(prod?.Properties?.DeletionProtectionEnabled).toBe(true);
    expect(prod?.DeletionPolicy).toBe('Retain');
  });

  it('indexes the table by job and by active status, projecting keys only (the store reads the runs from the table)', () => {
    // Act
    const table = build(exampleCatalog(), 'dev').resources.RunsTable;

    // Assess
    const indexes = (table?.Properties?.GlobalSecondaryIndexes ?? []) as {
      IndexName: string;
      KeySchema: { AttributeName: string; KeyType: string }[];
      Projection: { ProjectionType: string };
    }[];
    expect(
      indexes.map((i) => [i.IndexName, i.KeySchema.map((k) => `${k.AttributeName}:${k.KeyType}`), i.Projection]),
    ).toEqual([
      ['byJob', ['gsi1pk:HASH', 'gsi1sk:RANGE'], { ProjectionType: 'KEYS_ONLY' }],
      ['active', ['gsi2pk:HASH', 'gsi2sk:RANGE'], { ProjectionType: 'KEYS_ONLY' }],
    ]);
  });

  it('sends what rules, schedules and async invocations cannot deliver to the events dead-letter queue', () => {
    // Act
    const { config, resources } = build(exampleCatalog());

    // Assess
    for (const [id, rule] of resourcesOfType(resources, 'AWS::Events::Rule')) {
      const target = ((rule.Properties?.Targets ?? []) as { DeadLetterConfig?: unknown }[])[0];
      expect(target?.DeadLetterConfig, id).toEqual({ Arn: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] } });
    }
    expect((config.functions?.onUpload as { destinations?: unknown } | undefined)?.destinations).toEqual({
      onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] } },
    });
  });
});

describe('Operations resources', () => {
  it('alarms on both dead-letter queues and on every function errors, to the alert topic', () => {
    // Act
    const { config, resources } = build(exampleCatalog());

    // Assess
    const alarms = resourcesOfType(resources, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
    expect(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(
      alarms
        .filter((a) => a.MetricName === 'Errors')
        .map((a) => (a.Dimensions as { Value: string }[])[0]?.Value)
        .sort(),
    ).toEqual(
      Object.keys(config.functions ?? {})
        .map((k) => `longshore-dev-${k}`)
        .sort(),
    );
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: 'AlertTopic' }]);
  });

  it('builds a dashboard with each job run metrics, durations, handler errors and queues', () => {
    // Act
    const dashboard = build(exampleCatalog()).resources.OperationsDashboard?.Properties?.DashboardBody as
      | { 'Fn::Sub': string }
      | undefined;
    const body = dashboard?.['Fn::Sub'] ?? '';

    // Assess
    const titles = (JSON.parse(body) as { widgets: { properties: { title: string } }[] }).widgets.map(
      (w) => w.properties.title,
    );
    expect(titles).toEqual([
      'thumbnails: runs',
      'thumbnails: duration and queue wait (seconds)',
      'nightly-report: runs',
      'nightly-report: duration and queue wait (seconds)',
      'csv-ingest: runs',
      'csv-ingest: duration and queue wait (seconds)',
      'ingest-summary: runs',
      'ingest-summary: duration and queue wait (seconds)',
      'order-fulfilment: runs',
      'order-fulfilment: duration and queue wait (seconds)',
      "Estimated cost by job (US dollars per hour; Fargate list prices as of 2026-12-02: us-east-1 prices; other Regions priced at us-east-1's)",
      'Handler errors',
      'Handler duration p99 (ms)',
      'Queues',
    ]);
    expect(body).toContain('["Longshore","RunsFailed","job","csv-ingest","service","longshore"');
    // The Cost metric (each settled attempt's estimate), summed by the hour, one line per job.
    const cost = (
      JSON.parse(body) as { widgets: { properties: { title: string; period: number; metrics: unknown[] } }[] }
    ).widgets.find((w) => w.properties.title.startsWith('Estimated cost'));
    expect(cost?.properties.period).toBe(3600);
    expect(cost?.properties.metrics).toContainEqual([
      'Longshore',
      'Cost',
      'job',
      'csv-ingest',
      'service',
      'longshore',
      { stat: 'Sum', label: 'csv-ingest' },
    ]);
    expect(cost?.properties.metrics).toHaveLength(exampleCatalog().jobs.length);
  });
});

describe('Deploy-time rules AWS enforces (aws-facts §h)', () => {
  it.each(catalogs)(
    'reserves no concurrency on any function, so the stack deploys on a small quota (%s)',
    (_n, load) => {
      // Act
      const { config } = build(load());

      // Assess
      for (const [key, fn] of Object.entries(config.functions ?? {}))
        expect((fn as { reservedConcurrency?: number }).reservedConcurrency, key).toBeUndefined();
    },
  );

  it.each(catalogs)('keeps every tag of every resource to the characters and lengths AWS accepts (%s)', (_n, load) => {
    // Prepare
    const { config, resources } = build(load());
    const providerTags = Object.entries(config.provider.tags ?? {}).map(([key, value]) => ({
      where: 'provider.tags',
      key,
      value,
    }));

    // Act
    const tags = [...resourceTags(resources), ...providerTags];

    // Assess
    expect(tags.length).toBeGreaterThan(5);
    expect(tagProblems(tags)).toEqual([]);
  });

  it('encrypts the alert topic with a rotated customer-managed key that CloudWatch alarms and EventBridge may use', () => {
    // Act
    const { resources } = build(exampleCatalog());

    // Assess
    const topic = resources.AlertTopic?.Properties;
    expect(topic?.KmsMasterKeyId).toEqual({ Ref: 'AlertTopicKey' });
    const key = resources.AlertTopicKey;
    expect(key?.Type).toBe('AWS::KMS::Key');
    expect(key?.Properties?.EnableKeyRotation).toBe(true);
    const statements =
      (key?.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] } | undefined)?.Statement ?? [];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
        Action: 'kms:*',
        Resource: '*',
      }),
    );
    const forService = (service: string) => statements.find((s) => JSON.stringify(s.Principal).includes(service));
    expect(forService('cloudwatch.amazonaws.com')).toMatchObject({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(forService('events.amazonaws.com')).toMatchObject({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
    expect(resources.AlertTopicKeyAlias?.Properties).toEqual({
      AliasName: 'alias/longshore-dev-alerts',
      TargetKeyId: { Ref: 'AlertTopicKey' },
    });
  });

  it('lets every role that publishes to the alert topic use its key, and no other role', () => {
    // Act
    const statements = iamStatements(build(exampleCatalog()).resources);

    // Assess
    const roleOf = (where: string) => where.split('/')[0];
    const publishers = new Set(
      statements.filter((s) => asList(s.statement.Action).includes('sns:Publish')).map((s) => roleOf(s.where)),
    );
    const keyUsers = statements.filter((s) => JSON.stringify(s.statement.Resource).includes('"AlertTopicKey","Arn"'));
    expect(publishers).toEqual(new Set(['AlertRole']));
    expect(new Set(keyUsers.map((s) => roleOf(s.where)))).toEqual(publishers);
    for (const s of keyUsers) expect(s.statement.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
  });
});

describe('Function: tableGrants', () => {
  it('grants the requests of the given store methods on the table, and Query on the indexes only when one reads them', () => {
    // Act
    const onTable = tableGrants(['getRun', 'createRun', 'releaseSlot']);
    const withIndex = tableGrants(['getRun', 'activeRuns']);

    // Assess
    expect(onTable).toEqual([
      {
        Sid: 'RunsTable',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Resource: [{ 'Fn::GetAtt': ['RunsTable', 'Arn'] }],
      },
    ]);
    expect(withIndex.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      // The indexes project keys only: a method that queries one reads the runs with BatchGetItem.
      ['RunsTable', ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], [{ 'Fn::GetAtt': ['RunsTable', 'Arn'] }]],
      ['RunsTableIndexes', ['dynamodb:Query'], [{ 'Fn::Sub': '${RunsTable.Arn}/index/*' }]],
    ]);
    expect(tableGrants([])).toEqual([]);
  });

  it('lets onSchedule free the slot of a run a replace tick cancels', () => {
    // Act
    const actions = iamStatements(build(exampleCatalog()).resources)
      .filter((s) => s.where.startsWith('OnScheduleRole/'))
      .flatMap((s) => asList(s.statement.Action));

    // Assess
    expect(actions).toContain('dynamodb:DeleteItem');
  });
});

describe('Function: stageFromArgv', () => {
  it.each([
    [['node', 'osls', 'package', '--stage', 'prod'], 'prod'],
    [['node', 'osls', 'package', '-s', 'pr-42'], 'pr-42'],
    [['node', 'osls', 'deploy', '--stage=staging'], 'staging'],
    [['node', 'osls', 'package'], 'dev'],
  ])('reads %j as stage %s', (argv, stage) => {
    // Act & Assess
    expect(stageFromArgv(argv, {})).toBe(stage);
  });

  it.each(['Prod', 'a-stage-name-too-long', '1st', ''])('rejects stage %j with the rule it breaks', (stage) => {
    // Act & Assess
    expect(() => stageFromArgv(['--stage', stage], {})).toThrowError(/at most 10 lowercase letters, digits and -/);
  });
});

describe('Function: keyFilter', () => {
  it.each([
    [{ prefix: 'in/' }, { prefix: 'in/' }],
    [{ suffix: '.csv' }, { suffix: '.csv' }],
    [{ prefix: 'in/', suffix: '.csv' }, { wildcard: 'in/*.csv' }],
    [{ prefix: 'a*b/', suffix: '\\x' }, { wildcard: 'a\\*b/*\\\\x' }],
    [{}, undefined],
  ])('builds %o as %o', (trigger, filter) => {
    // Act & Assess
    expect(keyFilter(trigger)).toEqual(filter);
  });
});

describe('Runs on another image: the launcher and the sweeper', () => {
  it('lets the launcher register only stage-tagged revisions, tag and run only the derived families, and the sweeper retire them', () => {
    // Prepare
    const { resources } = build(exampleCatalog());
    const statementsOf = (role: string, action: string) =>
      iamStatements(resources).filter(
        (s) => s.where.startsWith(`${role}/`) && asList(s.statement.Action).includes(action),
      );

    // Act
    const register = statementsOf('LauncherRole', 'ecs:RegisterTaskDefinition');
    const tag = statementsOf('LauncherRole', 'ecs:TagResource').filter((s) =>
      JSON.stringify(s.statement.Condition).includes('RegisterTaskDefinition'),
    );
    const run = statementsOf('LauncherRole', 'ecs:RunTask');

    // Assess
    expect(register).toHaveLength(1);
    expect(register[0]?.statement.Resource).toEqual(['*']);
    expect(register[0]?.statement.Condition).toEqual({ StringEquals: { 'aws:RequestTag/longshore:stage': 'dev' } });
    const derived = JSON.stringify(tag[0]?.statement.Resource);
    // Every job with a manual trigger (someone can ask for another image): its derived families `<family>_*`.
    for (const job of exampleCatalog().jobs) {
      const manual = job.triggers.some((t) => t.type === 'manual');
      expect(derived.includes(`task-definition/longshore-dev-${job.name}_*:*`), job.name).toBe(manual);
      expect(JSON.stringify(run[0]?.statement.Resource).includes(`longshore-dev-${job.name}_*:*`), job.name).toBe(
        manual,
      );
    }
    expect(derived).not.toContain('order-fulfilment');
    expect(statementsOf('LauncherRole', 'ecs:DeregisterTaskDefinition')).toEqual([]);
    for (const action of [
      'ecs:ListTaskDefinitionFamilies',
      'ecs:ListTaskDefinitions',
      'ecs:DescribeTaskDefinition',
      'ecs:DeregisterTaskDefinition',
    ])
      expect(statementsOf('SweeperRole', action), action).toHaveLength(1);
    expect(statementsOf('SweeperRole', 'ecs:RegisterTaskDefinition')).toEqual([]);
  });
});

describe('The alert function reads job logs', () => {
  it('may read only the log streams of the jobs that alert, with GetLogEvents and nothing else of CloudWatch Logs', () => {
    // Prepare
    const catalog = exampleCatalog();
    const silent = { ...catalog, jobs: catalog.jobs.map((j, i) => (i === 0 ? { ...j, alerts: false as const } : j)) };

    // Act
    const { resources } = build(silent);
    const read = iamStatements(resources).filter(
      (s) => s.where.startsWith('AlertRole/') && asList(s.statement.Action).includes('logs:GetLogEvents'),
    );

    // Assess
    expect(read).toHaveLength(1);
    expect(asList(read[0]?.statement.Action)).toEqual(['logs:GetLogEvents']);
    const resourcesRead = JSON.stringify(read[0]?.statement.Resource);
    for (const [i, job] of silent.jobs.entries())
      expect(resourcesRead.includes(`log-group:${logGroupName('dev', job)}:log-stream:*`)).toBe(i !== 0);
    const others = iamStatements(resources).filter(
      (s) =>
        !['AlertRole/', 'OnTaskStateChangeRole/', 'SweeperRole/'].some((r) => s.where.startsWith(r)) &&
        asList(s.statement.Action).includes('logs:GetLogEvents'),
    );
    expect(others).toEqual([]);
  });

  it('lets the tracker and the sweeper read only the main container streams of the jobs that declare a result', () => {
    // Prepare
    const catalog = exampleCatalog();
    const withResult = catalog.jobs.filter((j) => j.result?.lastLogLine === true);
    const without = { ...catalog, jobs: catalog.jobs.map(({ result: _r, ...j }) => j) };

    // Act
    const readsOf = (c: Catalog) =>
      iamStatements(build(c).resources).filter(
        (s) =>
          ['OnTaskStateChangeRole/', 'SweeperRole/'].some((r) => s.where.startsWith(r)) &&
          asList(s.statement.Action).includes('logs:GetLogEvents'),
      );
    const reads = readsOf(catalog);

    // Assess
    expect(withResult.map((j) => j.name)).toEqual(['csv-ingest']);
    expect(reads).toHaveLength(2);
    for (const read of reads) {
      expect(asList(read.statement.Action)).toEqual(['logs:GetLogEvents']);
      expect(read.statement.Resource).toEqual([
        {
          'Fn::Sub':
            'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/longshore/dev/csv-ingest:log-stream:longshore/main/*',
        },
      ]);
    }
    expect(readsOf(without)).toEqual([]);
  });
});
