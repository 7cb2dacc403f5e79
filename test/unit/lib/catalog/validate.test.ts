import { describe, expect, it } from 'vitest';
import type { JobInput } from '../../../../lib/catalog/schema.ts';
import { validateCatalog } from '../../../../lib/catalog/validate.ts';
import { CatalogError } from '../../../../lib/errors.ts';
import { baseCatalog, baseJob, exampleCatalog } from '../../../helpers/catalogs.ts';

const problemsOf = (raw: unknown): readonly string[] => {
  try {
    validateCatalog(raw);
  } catch (e) {
    if (e instanceof CatalogError) return e.problems;
    throw e;
  }
  return [];
};

describe('Function: validateCatalog', () => {
  it('accepts the example catalog and applies defaults', () => {
    // Act
    const catalog = exampleCatalog();

    // Assess
    expect(catalog.jobs.map((j) => j.name)).toEqual([
      'thumbnails',
      'nightly-report',
      'csv-ingest',
      'ingest-summary',
      'order-fulfilment',
    ]);
    const report = catalog.jobs[1];
    expect(report?.capacity).toEqual({ type: 'fargate' });
    expect(report?.container.logs).toEqual({ streamPrefix: 'report', retentionDays: 90 });
    expect(catalog.jobs[2]?.policy.useDefaultRules).toBe(true);
  });

  it('accepts a minimal job with every default, accepting no command and no variable from a run', () => {
    // Act
    const catalog = validateCatalog(baseCatalog());

    // Assess
    expect(catalog.jobs[0]?.overrides).toEqual({ command: false, environment: [], size: true, image: false });
    expect(catalog.jobs[0]).toMatchObject({
      timeout: '1h',
      network: 'default',
      alerts: 'default',
      architecture: 'X86_64',
    });
    expect(catalog.alerts).toEqual({ default: { sns: true, on: ['FAILED', 'TIMED_OUT', 'MISSED_SCHEDULE'] } });
  });

  // Each row: a distinct mistake, and the message it must produce (naming job and field).
  it.each<[string, Partial<JobInput>, string]>([
    [
      'an override variable that is not a variable name',
      { overrides: { environment: ['1BAD'] } },
      "job 'thumbs': overrides.environment.1BAD: is not a valid variable name (letters, digits and _, not starting with a digit)",
    ],
    [
      'an override variable longshore reserves',
      { overrides: { environment: ['S3_KEY'] } },
      "job 'thumbs': overrides.environment.S3_KEY: is reserved: longshore sets LONGSHORE_*, S3_*, SCHEDULED_TIME and AWS_* itself",
    ],
    [
      "an override variable that is one of the job's secrets",
      { container: { image: 'x:1', secrets: { TOKEN: { ssm: '/t' } } }, overrides: { environment: ['TOKEN'] } },
      "job 'thumbs': overrides.environment.TOKEN: is a secret of this job; secrets come only from their reference",
    ],
    [
      'a result read from a file in the task',
      { result: { file: '/out/result.json' } },
      "job 'thumbs': result.file: is not supported: a file inside a Fargate task cannot be read once the task stopped; print it as the container's last log line (e.g. `cat /out/result.json` last) and declare result: { lastLogLine: true }",
    ],
    [
      'a result that declares nothing',
      { result: { lastLogLine: false } },
      "job 'thumbs': result: declare result: { lastLogLine: true } (the last log line that is JSON), or leave result out",
    ],
    [
      'an override variable listed twice',
      { overrides: { environment: ['MODE', 'MODE'] } },
      "job 'thumbs': overrides.environment.MODE: is listed twice",
    ],
    [
      'overrides on a job no one can trigger by hand',
      { triggers: [{ type: 's3', bucket: 'acme-uploads' }], overrides: { command: true } },
      "job 'thumbs': overrides: allows overrides, but the job has no manual trigger ({ type: 'manual' }): no one can send them",
    ],
    [
      'an unknown override field',
      { overrides: { volumes: true } as never },
      "job 'thumbs': overrides: unknown field 'volumes'",
    ],
    [
      'memory not valid with cpu',
      { size: { cpu: 512, memory: 3000 } },
      "job 'thumbs': size.memory: 3000 is not valid with cpu 512; use 1024, 2048, 3072 or 4096",
    ],
    [
      'cpu not a Fargate cpu',
      { size: { cpu: 300, memory: 1024 } },
      "job 'thumbs': size.cpu: 300 is not a Fargate cpu; use 256, 512, 1024, 2048, 4096, 8192 or 16384",
    ],
    [
      '8 vCPU memory off its 4 GB step',
      { size: { cpu: 8192, memory: 17408 } },
      "job 'thumbs': size.memory: 17408 is not valid with cpu 8192; use 16384, 20480",
    ],
    [
      'ephemeral storage out of range',
      { size: { cpu: 512, memory: 1024, ephemeralStorageGiB: 10 } },
      "job 'thumbs': size.ephemeralStorageGiB: 10 is out of range; Fargate allows 21-200 GiB",
    ],
    ['GPUs on Fargate', { size: { cpu: 512, memory: 1024, gpus: 1 } }, "job 'thumbs': size.gpus: Fargate has no GPUs"],
    [
      'Spot on ARM64',
      { capacity: { type: 'fargate-spot' }, architecture: 'ARM64' },
      "job 'thumbs': capacity: Fargate Spot runs only X86_64 tasks",
    ],
    [
      'unknown network',
      { network: 'vpc-b' },
      "job 'thumbs': network: 'vpc-b' is not a network in the catalog; use default",
    ],
    [
      'unknown alert route',
      { alerts: 'pager' },
      "job 'thumbs': alerts: 'pager' is not an alert route in the catalog; use default or false",
    ],
    ['no triggers', { triggers: [] }, "job 'thumbs': triggers: needs at least one trigger"],
    [
      'invalid bucket name',
      { triggers: [{ type: 's3', bucket: 'Acme_Uploads' }] },
      "job 'thumbs': triggers[0].bucket: 'Acme_Uploads' is not an S3 bucket name",
    ],
    [
      'cron with both day fields',
      { triggers: [{ type: 'schedule', expression: 'cron(0 2 * * * *)' }] },
      "job 'thumbs': triggers[0].expression: cron: exactly one of day-of-month and day-of-week must be ?",
    ],
    [
      'cron with 5 fields',
      { triggers: [{ type: 'schedule', expression: 'cron(0 2 * * ?)' }] },
      "job 'thumbs': triggers[0].expression: cron needs 6 fields (minutes hours day-of-month month day-of-week year), got 5",
    ],
    [
      'cron hour out of range',
      { triggers: [{ type: 'schedule', expression: 'cron(0 25 * * ? *)' }] },
      "job 'thumbs': triggers[0].expression: hours value '25' is out of range (0-23)",
    ],
    [
      'rate with plural for 1',
      { triggers: [{ type: 'schedule', expression: 'rate(1 hours)' }] },
      "job 'thumbs': triggers[0].expression: rate(1 hours): use the singular unit 'hour'",
    ],
    [
      'unknown time zone',
      { triggers: [{ type: 'schedule', expression: 'rate(5 minutes)', timezone: 'Europe/Parris' }] },
      "job 'thumbs': triggers[0].timezone: 'Europe/Parris' is not an IANA time zone",
    ],
    [
      'duplicate trigger',
      { triggers: [{ type: 'manual' }, { type: 'manual' }] },
      "job 'thumbs': triggers[1]: repeats an earlier trigger of this job",
    ],
    [
      'Secrets Manager name instead of ARN',
      { container: { image: 'x:1', secrets: { DB: { secretsManager: 'prod/db' } } } },
      "job 'thumbs': container.secrets.DB: 'prod/db' is a name, but ECS needs the secret's full ARN",
    ],
    [
      'partial Secrets Manager ARN',
      {
        container: {
          image: 'x:1',
          secrets: { DB: { secretsManager: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db' } },
        },
      },
      "job 'thumbs': container.secrets.DB: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db' looks like a partial ARN",
    ],
    [
      'JSON key inside the ARN',
      {
        container: {
          image: 'x:1',
          secrets: {
            DB: { secretsManager: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf:password::' },
          },
        },
      },
      'put a JSON key, version stage or version id in jsonKey, versionStage or versionId',
    ],
    [
      'version stage and id together',
      {
        container: {
          image: 'x:1',
          secrets: {
            DB: {
              secretsManager: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf',
              versionStage: 'AWSCURRENT',
              versionId: '0123456789abcdef0123456789abcdef',
            },
          },
        },
      },
      "job 'thumbs': container.secrets.DB: give versionStage or versionId, not both",
    ],
    [
      'bad SSM parameter name',
      { container: { image: 'x:1', secrets: { TOKEN: { ssm: 'my param' } } } },
      "job 'thumbs': container.secrets.TOKEN: 'my param' is not an SSM parameter name",
    ],
    [
      'KMS alias instead of key ARN',
      { container: { image: 'x:1', secrets: { TOKEN: { ssm: '/a/b', kmsKey: 'alias/app' } } } },
      "job 'thumbs': container.secrets.TOKEN: kmsKey 'alias/app' must be a KMS key ARN",
    ],
    [
      'secret and environment share a name',
      { container: { image: 'x:1', environment: { TOKEN: 'x' }, secrets: { TOKEN: { ssm: '/a/b' } } } },
      "job 'thumbs': container.secrets.TOKEN: is also set in environment",
    ],
    [
      'reserved environment name',
      { container: { image: 'x:1', environment: { S3_KEY: 'x' } } },
      "job 'thumbs': container.environment.S3_KEY: is reserved",
    ],
    [
      'environment file not an S3 .env ARN',
      { container: { image: 'x:1', environmentFiles: ['s3://bucket/app.env'] } },
      "job 'thumbs': container.environmentFiles[0]: 's3://bucket/app.env' must be an S3 object ARN ending in .env",
    ],
    [
      'stop timeout above Fargate max',
      { container: { image: 'x:1', stopTimeoutSeconds: 300 } },
      "job 'thumbs': container.stopTimeoutSeconds: 300 is out of range; Fargate allows 2-120 seconds",
    ],
    [
      'log retention not a CloudWatch value',
      { container: { image: 'x:1', logs: { retentionDays: 10 } } },
      "job 'thumbs': container.logs.retentionDays: 10 is not a CloudWatch retention",
    ],
    [
      'image with a space',
      { container: { image: 'acme/thumbs 1.0' } },
      "job 'thumbs': container.image: 'acme/thumbs 1.0' is not an image reference",
    ],
    [
      'sidecar named main',
      { sidecars: [{ name: 'main', image: 'x:1' }] },
      "job 'thumbs': sidecars[0].name: 'main' must be letters, digits, _ and - and not 'main'",
    ],
    [
      'volume mounted into an unknown container',
      { volumes: [{ name: 'v', mountPath: '/data', containers: ['worker'] }] },
      "job 'thumbs': volumes[0].containers: 'worker' is not a container of this job; use main",
    ],
    [
      'EFS IAM without transit encryption',
      {
        volumes: [
          { name: 'v', mountPath: '/data', efs: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: false } },
        ],
      },
      "job 'thumbs': volumes[0].efs: iamAuthorization needs transitEncryption: true",
    ],
    [
      'EFS access point with a root directory',
      {
        volumes: [
          {
            name: 'v',
            mountPath: '/data',
            efs: { fileSystemId: 'fs-0123456789abcdef0', accessPointId: 'fsap-0123456789abcdef0', rootDirectory: '/x' },
          },
        ],
      },
      "job 'thumbs': volumes[0].efs.rootDirectory: must be omitted when an access point is used",
    ],
    [
      'relative mount path',
      { volumes: [{ name: 'v', mountPath: 'data' }] },
      "job 'thumbs': volumes[0].mountPath: 'data' must be an absolute path",
    ],
    ['timeout not a duration', { timeout: '2 hours' }, "job 'thumbs': timeout: '2 hours' is not a duration"],
    ['timeout too long', { timeout: '30d' }, "job 'thumbs': timeout: '30d' is out of range (1m-14d)"],
    ['maxConcurrent zero', { maxConcurrent: 0 }, "job 'thumbs': maxConcurrent: 0 is out of range (1-1000)"],
    [
      'fan-out count of zero',
      { fanOut: { items: { count: 0 } } },
      "job 'thumbs': fanOut.items.count: 0 is out of range (an integer, 1-1000000)",
    ],
    [
      'fan-out of more than 10,000 children',
      { fanOut: { items: { count: 20001 }, itemsPerTask: 2 } },
      "job 'thumbs': fanOut.items.count: 20001 items of 2 per task make 10001 children; at most 10000 (AWS Batch's array limit): raise itemsPerTask",
    ],
    [
      'fan-out itemsPerTask not an integer',
      { fanOut: { items: { count: 10 }, itemsPerTask: 1.5 } },
      "job 'thumbs': fanOut.itemsPerTask: 1.5 is out of range (an integer, 1-1000)",
    ],
    [
      'fan-out tolerance above 100%',
      { fanOut: { items: { count: 10 }, tolerate: '150%' } },
      "job 'thumbs': fanOut.tolerate: '150%' is not a count (2) or a percentage from 0% to 100% ('5%')",
    ],
    [
      'fan-out maxParallel of zero',
      { fanOut: { items: { count: 10 }, maxParallel: 0 } },
      "job 'thumbs': fanOut.maxParallel: 0 is out of range (an integer, 1-10000); omit it for no limit",
    ],
    [
      'fan-out negative tolerance',
      { fanOut: { items: { count: 10 }, tolerate: -1 } },
      "job 'thumbs': fanOut.tolerate: -1 is not a count of failed children (0-10000)",
    ],
    [
      'policy rule regex invalid',
      { policy: { rules: [{ name: 'r', match: { reason: '(' }, action: 'fail' }] } },
      "job 'thumbs': policy.rules[0] 'r'.match.reason: is not a valid regular expression",
    ],
    [
      'policy rule matching nothing',
      { policy: { rules: [{ name: 'r', match: {}, action: 'fail' }] } },
      "job 'thumbs': policy.rules[0] 'r'.match: matches nothing",
    ],
    [
      'exit code range out of bounds',
      { policy: { rules: [{ name: 'r', match: { exitCodes: [[1, 300]] }, action: 'retry' }] } },
      "job 'thumbs': policy.rules[0] 'r'.match.exitCodes: [1,300] is not an exit code or [low, high] range within 0-255",
    ],
    [
      'unknown stop code',
      { policy: { rules: [{ name: 'r', match: { stopCodes: ['SpotInteruption'] }, action: 'retry' }] } },
      "job 'thumbs': policy.rules[0] 'r'.match.stopCodes: 'SpotInteruption' is not an ECS stop code",
    ],
    [
      'retry-on-demand on on-demand capacity',
      { policy: { rules: [{ name: 'r', match: { stopCodes: ['SpotInterruption'] }, action: 'retry-on-demand' }] } },
      "job 'thumbs': policy.rules[0] 'r'.action: retry-on-demand only applies to jobs on capacity { type: 'fargate-spot' }",
    ],
    [
      'backoff cap below base',
      { policy: { backoff: { base: '10m', cap: '1m' } } },
      "job 'thumbs': policy.backoff.cap: '1m' is below base '10m'",
    ],
    [
      'maxMemory below the job memory',
      { policy: { maxMemory: 512 } },
      "job 'thumbs': policy.maxMemory: 512 is below the job's memory 1024",
    ],
    [
      'reserved tag key',
      { tags: { 'aws:team': 'x' } },
      "job 'thumbs': tags.aws:team: keys starting with 'aws:' or 'longshore:' are reserved",
    ],
    [
      'tag value with characters AWS tags refuse',
      { tags: { owner: 'media; ops#1' } },
      "job 'thumbs': tags.owner: may contain only letters, digits, spaces and + - = . _ : / @",
    ],
    [
      'wildcard action in task role',
      { taskRole: { statements: [{ actions: ['s3:*'], resources: ['arn:aws:s3:::b/*'] }] } },
      "job 'thumbs': taskRole.statements[0].actions: wildcard actions are not allowed",
    ],
    [
      'EC2 memberOf expression empty',
      {
        capacity: {
          type: 'ec2',
          capacityProvider: 'gpu',
          placementConstraints: [{ type: 'memberOf', expression: ' ' }],
        },
      },
      "job 'thumbs': capacity.placementConstraints[0].expression: must be a cluster query language expression",
    ],
    [
      'job name too long',
      { name: 'a-very-long-job-name-that-breaks' },
      "job 'a-very-long-job-name-that-breaks': name: is 32 characters; at most 24",
    ],
    ['job name with capitals', { name: 'Thumbs' }, "job 'Thumbs': name: must be lowercase letters, digits and -"],
    ['unknown field (typo)', { memroy: 2048 } as Partial<JobInput>, "job 'thumbs': unknown field 'memroy'"],
    [
      'wrong type',
      { size: { cpu: '512', memory: 1024 } } as unknown as Partial<JobInput>,
      "job 'thumbs': size.cpu: expected number, got string",
    ],
    [
      'unknown trigger type',
      { triggers: [{ type: 'kafka' }] } as unknown as Partial<JobInput>,
      'job \'thumbs\': triggers[0].type: must be "s3", "schedule", "manual", "after", "event" or "sqs"',
    ],
    ['missing image', { container: {} } as unknown as Partial<JobInput>, "job 'thumbs': container.image: is required"],
  ])('rejects %s', (_name, overrides, expected) => {
    // Prepare
    const raw = baseCatalog([baseJob(overrides)]);

    // Act
    const problems = problemsOf(raw);

    // Assess
    expect(
      problems.some((p) => p.includes(expected)),
      `got:\n${problems.join('\n')}`,
    ).toBe(true);
  });

  it('lists every problem of every job at once', () => {
    // Prepare
    const raw = baseCatalog([
      baseJob({ name: 'a', size: { cpu: 512, memory: 3000 }, timeout: 'soon' }),
      baseJob({ name: 'b', memroy: 1 } as Partial<JobInput>),
      baseJob({ name: 'a' }),
    ]);

    // Act
    const problems = problemsOf(raw);

    // Assess
    expect(problems).toEqual([
      "job 'b': unknown field 'memroy'",
      "job 'a': size.memory: 3000 is not valid with cpu 512; use 1024, 2048, 3072 or 4096",
      "job 'a': timeout: 'soon' is not a duration (e.g. '30m', '2h', '1h30m')",
      "job 'a': name: is used by another job; job names must be unique",
    ]);
  });

  it('rejects catalog-level mistakes: no networks, bad subnet ids, bad webhook secret, no jobs', () => {
    // Prepare
    const raw = {
      networks: { default: { subnets: ['subnet-xyz'], securityGroups: [] } },
      alerts: { ops: { webhookSecret: 'not a secret!' } },
      jobs: [],
    };

    // Act
    const problems = problemsOf(raw);

    // Assess
    expect(problems).toEqual([
      "network 'default': subnets: 'subnet-xyz' is not a subnet id",
      "network 'default': securityGroups: needs at least one security group (or a stage parameter: { param: 'name' })",
      "alert route 'ops': webhookSecret: 'not a secret!' is not a Secrets Manager secret name or ARN",
      'catalog: jobs: declare at least one job',
    ]);
  });

  it('throws a CatalogError whose message lists the problems one per line', () => {
    // Prepare
    const raw = baseCatalog([baseJob({ size: { cpu: 512, memory: 3000 } })]);

    // Act & Assess
    expect(() => validateCatalog(raw)).toThrowError(
      "The job catalog has 1 problem:\n  - job 'thumbs': size.memory: 3000 is not valid with cpu 512; use 1024, 2048, 3072 or 4096",
    );
  });
});
