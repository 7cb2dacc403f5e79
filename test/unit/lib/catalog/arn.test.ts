import { describe, expect, it } from 'vitest';
import { arnIn, arnPattern, partitionOf } from '../../../../lib/catalog/arn.ts';

describe('Function: partitionOf', () => {
  it.each([
    ['eu-west-1', 'aws'],
    ['mx-central-1', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('puts %s in partition %s', (region, partition) => {
    // Act & Assess
    expect(partitionOf(region)).toBe(partition);
  });
});

describe('Function: arnPattern', () => {
  const secret = arnPattern('secretsmanager', 'secret:.+');

  it.each([
    'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf',
    'arn:aws-iso-f:secretsmanager:us-isof-south-1:111122223333:secret:prod/db-AbCdEf',
    'arn:aws-eusc:secretsmanager:eusc-de-east-1:111122223333:secret:prod/db-AbCdEf',
    'arn:aws-us-gov:secretsmanager:us-gov-west-1:111122223333:secret:prod/db-AbCdEf',
    'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/db-AbCdEf',
  ])('accepts %s', (arn) => {
    // Act & Assess
    expect(secret.test(arn)).toBe(true);
  });

  it.each([
    'arn:aws:secretsmanager:eu-west:111122223333:secret:x',
    'arn:aws-moon:secretsmanager:eu-west-1:111122223333:secret:x',
    'arn:aws:secretsmanager:eu-west-1:1111:secret:x',
  ])('refuses %s', (arn) => {
    // Act & Assess
    expect(secret.test(arn)).toBe(false);
  });
});

describe('Function: arnIn', () => {
  it('fills the partition of an ISO Region, not the commercial one', () => {
    // Act & Assess
    expect(
      arnIn('arn:${AWS::Partition}:s3:::b/${AWS::Region}/${AWS::AccountId}', {
        region: 'us-isof-south-1',
        account: '111122223333',
      }),
    ).toBe('arn:aws-iso-f:s3:::b/us-isof-south-1/111122223333');
  });
});
