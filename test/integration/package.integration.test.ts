/**
 * `osls package` on the example catalog, and checks over the real CloudFormation template and
 * bundles it produces (what `serverless.ts` alone cannot show: Serverless's own resources).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_KEYS } from '../../lib/local/functionKeys.ts';
import { packagedService } from '../helpers/packageCache.ts';
import { asList, iamStatements, resourceTags, tagProblems, WILDCARD_RESOURCE_EXCEPTIONS } from '../helpers/template.ts';
import { zipContents, zipEntries } from '../helpers/zip.ts';

const run = promisify(execFile);
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
let outDir: string;
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
let template: Template;

beforeAll(async () => {
  // Read only: the package may be the one an earlier run made from the same inputs (test/helpers/packageCache.ts).
  outDir = await packagedService({ stage: 'ci' });
  template = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
});

describe('Packaged service (osls package)', () => {
  it('produces one bundle per function, each a single minified ESM file', () => {
    // Act
    const zips = readdirSync(outDir).filter((f) => f.endsWith('.zip'));

    // Assess
    expect(zips.sort()).toEqual([
      'alert.zip',
      'control.zip',
      'launcher.zip',
      'onEvent.zip',
      'onMessage.zip',
      'onRunFinished.zip',
      'onSchedule.zip',
      'onTaskStateChange.zip',
      'onUpload.zip',
      'sweeper.zip',
    ]);
    for (const zip of zips) {
      expect(statSync(join(outDir, zip)).size, zip).toBeLessThan(1_000_000);
      expect(zipEntries(join(outDir, zip)), zip).toEqual([`functions/${zip.replace(/\.zip$/, '')}/handler.mjs`]);
    }
  });

  it('uses the Node.js 24 runtime on arm64 for every function', () => {
    // Act
    const fns = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');

    // Assess
    expect(fns).toHaveLength(10);
    for (const fn of fns)
      expect([fn.Properties?.Runtime, fn.Properties?.Architectures]).toEqual(['nodejs24.x', ['arm64']]);
  });

  it('has no IAM statement with Resource "*" or a wildcard action beyond the listed exceptions', () => {
    // Act
    const statements = iamStatements(template.Resources);

    // Assess
    expect(statements.length).toBeGreaterThan(20);
    for (const { where, statement } of statements) {
      const actions = asList(statement.Action);
      for (const a of actions) expect(a, where).not.toMatch(/\*/);
      if (asList(statement.Resource).includes('*'))
        expect(Object.keys(WILDCARD_RESOURCE_EXCEPTIONS), where).toContain(actions[0]);
    }
  });

  it('reserves no concurrency and tags every resource only with text AWS accepts, Serverless resources included', () => {
    // Act
    const fns = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const tags = resourceTags(template.Resources);

    // Assess
    for (const [id, fn] of fns) expect(fn.Properties?.ReservedConcurrentExecutions, id).toBeUndefined();
    expect(tags.length).toBeGreaterThan(10);
    expect(tagProblems(tags)).toEqual([]);
  });

  it('contains no account id literal and no secret value', () => {
    // Act
    const json = JSON.stringify(template);

    // Assess
    expect(json).not.toMatch(/(?<![0-9])[0-9]{12}(?![0-9])/);
    expect(json).not.toMatch(/SecretString|SecureString|AKIA[0-9A-Z]{16}/);
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::ECS::TaskDefinition') continue;
      for (const c of (r.Properties?.ContainerDefinitions ?? []) as { Secrets?: { ValueFrom: unknown }[] }[]) {
        for (const s of c.Secrets ?? []) expect(JSON.stringify(s.ValueFrom), id).toMatch(/arn:/);
      }
    }
  });

  it('holds no local secret value in the template or any function zip (canaries: the local secret files)', () => {
    // Prepare: every value of local.secrets.json (when there is one) and of its example.
    const values = ['local.secrets.example.json', 'local.secrets.json']
      .filter((f) => existsSync(f))
      .flatMap((f) => {
        const { jobs = {}, secrets = {} } = JSON.parse(readFileSync(f, 'utf8')) as {
          jobs?: Record<string, Record<string, string>>;
          secrets?: Record<string, string>;
        };
        return [...Object.values(jobs).flatMap((j) => Object.values(j)), ...Object.values(secrets)];
      })
      .filter((v) => v.length >= 8);

    // Act
    const texts: [string, string][] = [
      ['template', JSON.stringify(template)],
      ...readdirSync(outDir)
        .filter((f) => f.endsWith('.zip'))
        .flatMap((zip) =>
          [...zipContents(join(outDir, zip))].map(
            ([entry, data]) => [`${zip}:${entry}`, data.toString('utf8')] as [string, string],
          ),
        ),
    ];

    // Assess
    expect(values.length).toBeGreaterThan(0);
    // The bundles were read as text (inflated), not as compressed bytes a value could hide in: one per function.
    expect(texts.filter(([where, text]) => where.includes('.zip:') && text.includes('longshore'))).toHaveLength(
      FUNCTION_KEYS.length,
    );
    expect(
      texts.flatMap(([where, text]) => values.filter((v) => text.includes(v)).map((v) => `${where}: ${v}`)),
    ).toEqual([]);
  });

  it('resolves every stage parameter to an SSM path of this stage', () => {
    // Act
    const params = (template as unknown as { Parameters: Record<string, { Type: string; Default: string }> })
      .Parameters;

    // Assess
    expect(params.ParamPrivateSubnetIds).toEqual(
      expect.objectContaining({ Default: '/longshore/ci/privateSubnetIds' }),
    );
    expect(params.ExistingClusterArn?.Default).toBe('');
  });

  it('runs a handler under `osls invoke local` with AWS mocked (LONGSHORE_LOCAL_MOCKS=1)', async () => {
    // Arrange
    const port = await freePort();
    const state = mkdtempSync(join(tmpdir(), 'longshore-osls-'));

    // Act
    const out = await run(
      'node_modules/.bin/osls',
      ['invoke', 'local', '-f', 'onUpload', '-p', 'events/s3-object-created.json'],
      {
        env: {
          ...process.env,
          LOCAL_INVOKE: '1',
          LONGSHORE_LOCAL_MOCKS: '1',
          LONGSHORE_LOCAL_DDB_PORT: String(port),
          LONGSHORE_LOCAL_STATE: state,
          AWS_REGION: 'eu-west-1',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
        },
        timeout: 120_000,
      },
    );

    // Assess
    expect(out.stdout).toContain('"job": "thumbnails"');
    expect(out.stderr).toMatch(/\[longshore\] 2 AWS call\(s\)[\s\S]*DynamoDB Put[\s\S]*SQS SendMessageBatch/);
  });
});
