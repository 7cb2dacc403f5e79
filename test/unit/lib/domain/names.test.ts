import { describe, expect, it } from 'vitest';
import { functions } from '../../../../functions/index.ts';
import {
  functionName,
  functionRoleName,
  jobExecutionRoleName,
  jobLogGroup,
  LONGEST_REGION,
  MAX_FUNCTION_KEY_LENGTH,
  MAX_JOB_NAME_LENGTH,
  MAX_REGION_LENGTH,
  MAX_STAGE_LENGTH,
  NAME_LIMITS,
  parseStartedBy,
  scheduleName,
  schedulerRoleName,
  startedBy,
  taskFamily,
  taskRoleName,
} from '../../../../lib/domain/names.ts';

const stage = 's'.repeat(MAX_STAGE_LENGTH);
const job = `j${'-x'.repeat(MAX_JOB_NAME_LENGTH)}`.slice(0, MAX_JOB_NAME_LENGTH - 1).concat('z');
const region = LONGEST_REGION;
/** A run id as the run store derives it: job + '-' + 20 base32 characters. */
const runId = `${job}-${'a'.repeat(20)}`;

describe('Derived AWS names at the longest stage, job, function and Region allowed', () => {
  it('uses a job name of the maximum length in these checks', () => {
    // Assess
    expect(job).toHaveLength(MAX_JOB_NAME_LENGTH);
  });

  it.each([
    'us-isof-south-1',
    'ap-southeast-7',
    'eusc-de-east-1',
    'cn-northwest-1',
    'us-isob-east-1',
    'us-gov-west-1',
    'mx-central-1',
  ])('computes the limits for a Region at least as long as %s', (longRegion) => {
    // Assess
    expect(MAX_REGION_LENGTH).toBe(LONGEST_REGION.length);
    expect(longRegion.length).toBeLessThanOrEqual(MAX_REGION_LENGTH);
  });

  it('keeps every function key within the length the limits were computed for', () => {
    // Assess
    for (const key of Object.keys(functions)) expect(key.length, key).toBeLessThanOrEqual(MAX_FUNCTION_KEY_LENGTH);
  });

  it.each([
    ['Lambda function name', functionName(stage, 'f'.repeat(MAX_FUNCTION_KEY_LENGTH)), NAME_LIMITS.lambdaFunction],
    ['function role name', functionRoleName(stage, 'f'.repeat(MAX_FUNCTION_KEY_LENGTH), region), NAME_LIMITS.iamRole],
    ['task role name', taskRoleName(stage, job, region), NAME_LIMITS.iamRole],
    ['execution role name', jobExecutionRoleName(stage, job, region), NAME_LIMITS.iamRole],
    ['scheduler role name', schedulerRoleName(stage, region), NAME_LIMITS.iamRole],
    ['schedule name (index 99)', scheduleName(stage, job, 99), NAME_LIMITS.schedule],
    ['task definition family', taskFamily(stage, job), NAME_LIMITS.taskFamily],
    ['log group', jobLogGroup(stage, job), NAME_LIMITS.logGroup],
    ['startedBy (attempt 999)', startedBy(stage, runId, 999), NAME_LIMITS.startedBy],
  ])('%s fits its limit', (_what, name, limit) => {
    // Assess
    expect(name.length).toBeLessThanOrEqual(limit);
  });

  it('builds startedBy only from the characters RunTask allows', () => {
    // Act
    const value = startedBy(stage, runId, 12);

    // Assess
    expect(value).toMatch(/^[A-Za-z0-9/_-]+$/);
  });
});

describe('Function: parseStartedBy', () => {
  it('reads stage, run id and attempt back', () => {
    // Act & Assess
    expect(parseStartedBy(startedBy('dev', 'thumbnails-abcdefghij234567abcd', 3))).toEqual({
      stage: 'dev',
      runId: 'thumbnails-abcdefghij234567abcd',
      attempt: 3,
    });
  });

  it.each([
    undefined,
    '',
    'ecs-svc/123',
    'longshore/dev/thumbnails',
    'longshore/dev/Thumb-abc/1',
    'other/dev/thumbnails-abc/1',
  ])('returns undefined for %j (not one of ours)', (value) => {
    // Act & Assess
    expect(parseStartedBy(value)).toBeUndefined();
  });
});
