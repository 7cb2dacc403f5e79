/**
 * EventBridge patterns and schedules of the packaged templates: every rule's EventPattern is valid
 * pattern syntax and matches the sample events it is meant for, and not the others; every
 * schedule expression and time zone is valid. The matcher (test/helpers/eventPattern.ts) is first
 * held to the cases of AWS's documentation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { validateCatalog } from '../../lib/catalog/validate.ts';
import raw from '../fixtures/catalogs/everything.ts';
import { exampleCatalog } from '../helpers/catalogs.ts';
import { type JsonValue, matchesPattern, patternSyntaxProblems } from '../helpers/eventPattern.ts';
import { loadEvent, objectCreated } from '../helpers/events.ts';
import { isIanaTimeZone, scheduleExpressionProblems } from '../helpers/scheduleSyntax.ts';
import { intrinsicOf, type Json, type Template } from './cfnSpec.ts';
import { CONFORMANCE_STAGE } from './globalSetup.ts';

type Obj = { [key: string]: JsonValue };
const packaged = inject('packaged');
const load = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const counts = { patterns: 0, events: 0, matched: 0, refused: 0, schedules: 0 };

describe('Function: matchesPattern (cases from the EventBridge documentation)', () => {
  // Each case: pattern, event, expected. Patterns and events from the EventBridge user guide pages
  // "Content filtering in event patterns", "Comparison operators" and "Arrays in event patterns".
  const ec2 = {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '111122223333',
    time: '2017-12-22T18:43:48Z',
    region: 'us-west-1',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
  };
  const withDetail = (detail: Obj): Obj => ({ ...ec2, detail });
  const cases: [string, Obj, Obj, boolean][] = [
    [
      'exact values',
      {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['terminated'] },
      },
      ec2,
      true,
    ],
    ['exact values (other state)', { source: ['aws.ec2'], detail: { state: ['running'] } }, ec2, false],
    ['prefix', { time: [{ prefix: '2017-12-22' }] }, ec2, true],
    ['prefix (no match)', { time: [{ prefix: '2017-10-02' }] }, ec2, false],
    [
      'prefix, equals-ignore-case',
      { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      withDetail({ service: 'eventbridge' }),
      true,
    ],
    ['suffix', { detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'image.png' }), true],
    ['suffix (no match)', { detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'image.PNG' }), false],
    [
      'suffix, equals-ignore-case',
      { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
      withDetail({ FileName: 'image.PNG' }),
      true,
    ],
    [
      'equals-ignore-case',
      { detail: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] } },
      withDetail({ 'detail-type': 'EC2 Instance State-change Notification' }),
      true,
    ],
    [
      'anything-but',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      withDetail({ state: 'running' }),
      true,
    ],
    [
      'anything-but (the excluded value)',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      withDetail({ state: 'initializing' }),
      false,
    ],
    ['anything-but (field absent)', { detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({}), false],
    [
      'anything-but a number',
      { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
      withDetail({ 'x-limit': 124 }),
      true,
    ],
    [
      'anything-but a list of strings',
      { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      withDetail({ state: 'overloaded' }),
      false,
    ],
    [
      'anything-but a list of numbers',
      { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
      withDetail({ 'x-limit': 150 }),
      true,
    ],
    [
      'anything-but a prefix',
      { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      withDetail({ state: 'initializing' }),
      false,
    ],
    [
      'anything-but a suffix',
      { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
      withDetail({ FileName: 'a.txt' }),
      true,
    ],
    [
      'anything-but a wildcard',
      { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
      withDetail({ FilePath: '/usr/lib/libc.so' }),
      false,
    ],
    [
      'anything-but, equals-ignore-case',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
      withDetail({ state: 'INITIALIZING' }),
      false,
    ],
    [
      'wildcard',
      { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } },
      withDetail({ EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' }),
      true,
    ],
    [
      'wildcard (other Region)',
      { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } },
      withDetail({ EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' }),
      false,
    ],
    [
      'wildcard, zero characters',
      { detail: { key: [{ wildcard: 'dir/*.png' }] } },
      withDetail({ key: 'dir/.png' }),
      true,
    ],
    [
      'wildcard, an escaped literal *',
      { detail: { key: [{ wildcard: 'a\\*b*' }] } },
      withDetail({ key: 'axb.txt' }),
      false,
    ],
    ['exists: false', { detail: { 'c-count': [{ exists: false }] } }, withDetail({ state: 'running' }), true],
    [
      'exists: false on an intermediate node (not a leaf)',
      { detail: { 'c-count': [{ exists: false }] } },
      withDetail({ state: 'running', 'c-count': { c1: 100 } }),
      true,
    ],
    ['exists: true', { detail: { state: [{ exists: true }] } }, withDetail({ state: 'running' }), true],
    ['exists: true (absent)', { detail: { state: [{ exists: true }] } }, withDetail({}), false],
    ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, withDetail({ 'c-count': 5 }), true],
    [
      'an event value that is a list: any element',
      { detail: { state: ['running'] } },
      withDetail({ state: ['initializing', 'running'] }),
      true,
    ],
    ['a pattern list: any of its values', { source: ['aws.s3', 'aws.ec2'] }, ec2, true],
  ];

  it.each(cases)('decides %s', (_name, pattern, event, expected) => {
    // Act
    const matched = matchesPattern(pattern, event);

    // Assess
    expect(patternSyntaxProblems(pattern)).toEqual([]);
    expect(matched).toBe(expected);
  });

  it.each([
    ['a leaf that is not a list', { source: 'aws.s3' }, /must be a list/],
    ['an unknown operator', { source: [{ startsWith: 'aws.' }] }, /is not a matcher/],
    ['consecutive wildcards', { key: [{ wildcard: 'a**b' }] }, /consecutive/],
    ['exists with a string', { key: [{ exists: 'yes' }] }, /exists takes true or false/],
    ['anything-but with mixed types', { key: [{ 'anything-but': ['a', 1] }] }, /only strings or only numbers/],
    ['an empty pattern', {}, /must not be empty/],
  ])('refuses %s', (_name, pattern, message) => {
    // Act
    const problems = patternSyntaxProblems(pattern);

    // Assess
    expect(problems.join('\n')).toMatch(message);
  });
});

/** The pattern with CloudFormation intrinsics resolved for one deploy (new cluster, or an existing one). */
const resolve = (v: Json, template: Template, existingCluster: string): Json => {
  const intrinsic = intrinsicOf(v);
  if (intrinsic) {
    const [name, args] = intrinsic;
    if (name === 'Ref' && args === 'ExistingClusterArn') return existingCluster;
    if (name === 'Ref' && args === 'AWS::Region') return REGION;
    if (name === 'Fn::If' && Array.isArray(args) && args[0] === 'CreateJobsCluster')
      return resolve((existingCluster === '' ? args[1] : args[2]) as Json, template, existingCluster);
    if (name === 'Fn::GetAtt' && Array.isArray(args) && args[1] === 'Arn') {
      const r = template.Resources[String(args[0])];
      if (r?.Type === 'AWS::ECS::Cluster')
        return `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${String(r.Properties?.ClusterName)}`;
    }
    throw new Error(`cannot resolve ${JSON.stringify(v)} in an event pattern`);
  }
  if (Array.isArray(v)) return v.map((x) => resolve(x, template, existingCluster));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, template, existingCluster)]));
  return v;
};

interface RuleView {
  id: string;
  bus: 'default' | 'runs';
  pattern: Obj;
}
const rulesOf = (template: Template, existingCluster = ''): RuleView[] =>
  Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern !== undefined)
    .map(([id, r]) => ({
      id,
      bus: r.Properties?.EventBusName === undefined ? 'default' : 'runs',
      pattern: resolve(r.Properties?.EventPattern as Json, template, existingCluster) as Obj,
    }));

/** The rules that deliver an event (AWS events arrive on the default bus, run events on ours). */
const deliveredTo = (rules: RuleView[], event: Obj, bus: 'default' | 'runs'): string[] => {
  counts.events++;
  const ids = rules.filter((r) => r.bus === bus && matchesPattern(r.pattern, event)).map((r) => r.id);
  if (ids.length > 0) counts.matched++;
  else counts.refused++;
  return ids;
};

const catalogs = [
  ['example', () => load(packaged.example), exampleCatalog],
  ['every feature', () => load(packaged.everything), () => validateCatalog(structuredClone(raw))],
] as const;

describe.each(catalogs)('Packaged rules of the %s catalog', (_name, template, catalog) => {
  it('have event patterns of valid syntax', () => {
    // Prepare
    const rules = [...rulesOf(template()), ...rulesOf(template(), 'arn:aws:ecs:eu-west-1:123456789012:cluster/theirs')];

    // Act
    const problems = rules.flatMap((r) => patternSyntaxProblems(r.pattern).map((p) => `${r.id}: ${p}`));

    // Assess
    expect(problems).toEqual([]);
    counts.patterns += rules.length / 2;
  });

  it('deliver each upload to the bucket rule exactly when one of its triggers matches the key, once', () => {
    // Prepare
    const rules = rulesOf(template());
    const triggers = catalog().jobs.flatMap((j) => j.triggers.flatMap((t) => (t.type === 's3' ? [t] : [])));
    const wants = (bucket: string, key: string) =>
      triggers.some(
        (t) =>
          t.bucket === bucket &&
          key.startsWith(t.prefix ?? '') &&
          key.endsWith(t.suffix ?? '') &&
          key.length >= (t.prefix ?? '').length + (t.suffix ?? '').length,
      );
    const keys = new Set<string>();
    for (const t of triggers) {
      const [p, s] = [t.prefix ?? '', t.suffix ?? ''];
      for (const k of [
        `${p}a/b c+d${s}`,
        `${p}${s}`,
        `${p}x${s.toUpperCase()}`,
        `${p}x${s}.tmp`,
        `other/${p}x${s}`,
        `${p.slice(0, -1)}x${s}`,
        `${p}*\\${s}`,
      ])
        keys.add(k);
    }
    const buckets = [...new Set(triggers.map((t) => t.bucket)), 'acme-not-a-trigger-bucket'];

    // Act
    const wrong: string[] = [];
    for (const bucket of buckets)
      for (const key of keys) {
        const to = deliveredTo(rules, objectCreated(bucket, key) as unknown as Obj, 'default');
        const expected = wants(bucket, key) ? 1 : 0;
        if (to.length !== expected)
          wrong.push(`s3://${bucket}/${key}: delivered to [${to}], expected ${expected} rule`);
      }

    // Assess
    expect(wrong).toEqual([]);
  });

  it('never deliver an S3 event other than Object Created', () => {
    // Prepare
    const rules = rulesOf(template());
    const bucket = catalog().jobs.flatMap((j) => j.triggers.flatMap((t) => (t.type === 's3' ? [t] : [])))[0];
    const e = objectCreated(
      bucket?.bucket ?? 'none',
      `${bucket?.prefix ?? ''}x${bucket?.suffix ?? ''}`,
    ) as unknown as Obj;

    // Act
    const deleted = deliveredTo(rules, { ...e, 'detail-type': 'Object Deleted' }, 'default');
    const created = deliveredTo(rules, e, 'default');

    // Assess
    expect([deleted, created.length]).toEqual([[], 1]);
  });

  it.each(['', 'arn:aws:ecs:eu-west-1:123456789012:cluster/theirs'])(
    'deliver task state changes of our cluster (existing: "%s") and stage when RUNNING or STOPPED, and no others',
    (existing) => {
      // Prepare
      const rules = rulesOf(template(), existing);
      const ours =
        existing ||
        `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${String(template().Resources.JobsCluster?.Properties?.ClusterName)}`;
      const samples = readdirSync(join(import.meta.dirname, '..', '..', 'events'))
        .filter((f) => f.startsWith('ecs-task-'))
        .concat(['ecs-task-state-change-running.json', 'ecs-task-stopped-exit-0.json']);
      const retarget = (name: string, cluster: string, startedBy: string | undefined): Obj & { detail: Obj } => {
        const e = loadEvent<Obj & { detail: Obj }>(name);
        e.detail.clusterArn = cluster;
        if (startedBy === undefined) delete e.detail.startedBy;
        else e.detail.startedBy = startedBy;
        return e;
      };
      const mine = `longshore/${CONFORMANCE_STAGE}/thumbnails-d3lrkz7q4m6vbn2x5ptw/1`;

      // Act
      const wrong: string[] = [];
      for (const name of samples) {
        const status = loadEvent<{ detail: { lastStatus: string } }>(name).detail.lastStatus;
        const expectOurs = ['RUNNING', 'STOPPED'].includes(status) ? ['TaskStateRule'] : [];
        const check = (label: string, e: Obj, expected: string[]) => {
          const to = deliveredTo(rules, e, 'default');
          if (JSON.stringify(to) !== JSON.stringify(expected)) wrong.push(`${name} ${label}: [${to}]`);
        };
        check('ours', retarget(name, ours, mine), expectOurs);
        const pending = retarget(name, ours, mine);
        (pending.detail as Obj).lastStatus = 'PENDING';
        check('pending', pending, []);
        check('other cluster', retarget(name, 'arn:aws:ecs:eu-west-1:123456789012:cluster/other', mine), []);
        check('other stage', retarget(name, ours, `longshore/${CONFORMANCE_STAGE}x/r/1`), []);
        check('a service task', retarget(name, ours, 'ecs-svc/9223370463385342063'), []);
        check('no startedBy', retarget(name, ours, undefined), []);
      }

      // Assess
      expect(wrong).toEqual([]);
      expect(samples.length).toBeGreaterThan(10);
    },
  );

  it('deliver the alerting run events on our bus to the alert rule, and no other run event', () => {
    // Prepare
    const rules = rulesOf(template());
    const failed = loadEvent<Obj>('run-failed.json');
    const missed = loadEvent<Obj>('schedule-missed.json');

    // Act
    const alerting = [failed, missed, { ...failed, 'detail-type': 'Run Timed Out' }].map((e) =>
      deliveredTo(rules, e, 'runs'),
    );
    const quiet = ['Run Started', 'Run Succeeded', 'Run Retrying', 'Run Cancelled', 'Run Skipped'].map((t) =>
      deliveredTo(rules, { ...failed, 'detail-type': t }, 'runs'),
    );
    const onDefaultBus = deliveredTo(rules, failed, 'default');
    const foreignSource = deliveredTo(rules, { ...failed, source: 'acme.billing' }, 'runs');

    // Assess
    expect(alerting).toEqual([['AlertRule'], ['AlertRule'], ['AlertRule']]);
    expect([...quiet, onDefaultBus, foreignSource]).toEqual([[], [], [], [], [], [], []]);
  });

  it('deliver the finished runs of followed jobs of this stage to the after rule, and no other run event', () => {
    // Prepare
    const rules = rulesOf(template());
    const followed = catalog().jobs.some((j) => j.triggers.some((t) => t.type === 'after' && t.job === 'csv-ingest'));
    const e = loadEvent<Obj>('run-succeeded.json');
    const ours = { ...e, detail: { ...(e.detail as Obj), stage: CONFORMANCE_STAGE } };
    const toAfterRule = (x: Obj) => deliveredTo(rules, x, 'runs').filter((id) => id === 'AfterRule');

    // Act
    const finished = ['Run Succeeded', 'Run Failed', 'Run Timed Out', 'Run Cancelled'].map((t) =>
      toAfterRule({ ...ours, 'detail-type': t }),
    );
    const quiet = [
      toAfterRule({ ...ours, 'detail-type': 'Run Started' }),
      toAfterRule({ ...ours, 'detail-type': 'Run Retrying' }),
      toAfterRule(e),
      toAfterRule({ ...ours, detail: { ...(ours.detail as Obj), job: 'thumbnails' } }),
      deliveredTo(rules, ours, 'default'),
    ];

    // Assess
    expect(finished).toEqual(Array(4).fill(followed ? ['AfterRule'] : []));
    expect(quiet).toEqual([[], [], [], [], []]);
  });

  it('have valid schedule expressions and IANA time zones', () => {
    // Prepare
    const t = template();
    const schedules = Object.entries(t.Resources).filter(
      ([, r]) =>
        r.Type === 'AWS::Scheduler::Schedule' || (r.Type === 'AWS::Events::Rule' && r.Properties?.ScheduleExpression),
    );

    // Act
    const problems = schedules.flatMap(([id, r]) => {
      const expression = String(r.Properties?.ScheduleExpression);
      const zone = r.Properties?.ScheduleExpressionTimezone;
      counts.schedules++;
      return [
        ...scheduleExpressionProblems(expression, { scheduler: r.Type === 'AWS::Scheduler::Schedule' }),
        ...(zone !== undefined && !isIanaTimeZone(String(zone))
          ? [`time zone ${String(zone)} is not an IANA zone`]
          : []),
      ].map((p) => `${id}: ${p}`);
    });

    // Assess
    expect(problems).toEqual([]);
    expect(schedules.length).toBeGreaterThan(1);
  });
});

describe('Function: scheduleExpressionProblems', () => {
  it.each([
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'cron(0 10 * * ? *)',
    'cron(15 12 * * ? *)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0/10 * ? * MON-FRI *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 0 L * ? *)',
    'cron(0 0 ? * 6L *)',
    'cron(0 0 15W * ? 2026-2030)',
    'at(2026-11-22T09:00:00)',
  ])('accepts %s (examples of the Scheduler and EventBridge user guides)', (expression) => {
    // Assess
    expect(scheduleExpressionProblems(expression, { scheduler: true })).toEqual([]);
  });

  it.each([
    ['rate(1 minutes)', /singular/],
    ['rate(5 minute)', /singular/],
    ['rate(0 minutes)', /positive|singular/],
    ['rate(2 weeks)', /neither/],
    ['cron(0 10 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 10 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 10 * * ?)', /5 fields/],
    ['cron(60 10 * * ? *)', /minutes '60'/],
    ['cron(0 24 * * ? *)', /hours '24'/],
    ['cron(0 0 ? * 8 *)', /day-of-week '8'/],
    ['cron(0 0 ? * MON#6 *)', /day-of-week/],
    ['cron(0 0 1 * ? 1969)', /year '1969'/],
  ])('refuses %s', (expression, message) => {
    // Act
    const problems = scheduleExpressionProblems(expression, { scheduler: true });

    // Assess
    expect(problems.join('\n')).toMatch(message);
  });

  it('refuses at() for an EventBridge rule and an offset as a time zone', () => {
    // Assess
    expect(scheduleExpressionProblems('at(2026-11-22T09:00:00)', { scheduler: false })).toHaveLength(1);
    expect([isIanaTimeZone('Europe/Paris'), isIanaTimeZone('+01:00'), isIanaTimeZone('Mars/Olympus')]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('reports the counts of what was matched', () => {
    // Assess
    console.info(
      `[conformance] EventBridge: ${counts.patterns} rule patterns checked; ${counts.events} events matched against them (${counts.matched} delivered, ${counts.refused} not); ${counts.schedules} schedule expressions checked`,
    );
    expect(counts.events).toBeGreaterThan(100);
  });
});
