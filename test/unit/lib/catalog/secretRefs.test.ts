import { describe, expect, it } from 'vitest';
import { secretsManager, ssmParameter } from '../../../../lib/catalog/define.ts';
import { resolveSecret, secretReadResource, secretRefProblems } from '../../../../lib/catalog/secretRefs.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf';

describe('Function: resolveSecret', () => {
  it.each([
    [{ secretsManager: ARN }, ARN],
    [{ secretsManager: ARN, jsonKey: 'password' }, `${ARN}:password::`],
    [{ secretsManager: ARN, versionStage: 'AWSPREVIOUS' }, `${ARN}::AWSPREVIOUS:`],
    [
      { secretsManager: ARN, versionId: '9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE' },
      `${ARN}:::9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE`,
    ],
    [{ secretsManager: ARN, jsonKey: 'user', versionStage: 'AWSCURRENT' }, `${ARN}:user:AWSCURRENT:`],
  ])('renders %o as valueFrom %s, keeping every colon', (ref, valueFrom) => {
    // Act
    const resolved = resolveSecret(ref);

    // Assess
    expect(resolved).toEqual({ valueFrom, resource: ARN, action: 'secretsmanager:GetSecretValue' });
  });

  it.each([
    ['/app/db-password', 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/db-password'],
    ['db-password', 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/db-password'],
    ['arn:aws:ssm:us-east-1:111122223333:parameter/x', 'arn:aws:ssm:us-east-1:111122223333:parameter/x'],
  ])('renders SSM parameter %s as the full ARN %s', (name, arn) => {
    // Act
    const resolved = resolveSecret({ ssm: name });

    // Assess
    expect(resolved).toEqual({ valueFrom: arn, resource: arn, action: 'ssm:GetParameters' });
  });

  it('carries a customer-managed KMS key for kms:Decrypt', () => {
    // Prepare
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    // Act & Assess
    expect(resolveSecret(ssmParameter('/a', { kmsKey: key })).kmsKey).toBe(key);
  });
});

describe('Function: secretsManager (catalog helper)', () => {
  it('builds an ARN in the stack account and Region with pseudo parameters', () => {
    // Act
    const ref = secretsManager('prod/db-AbCdEf', { jsonKey: 'password' });

    // Assess
    expect(ref).toEqual({
      secretsManager: 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/db-AbCdEf',
      jsonKey: 'password',
    });
    expect(secretRefProblems(ref)).toEqual([]);
  });
});

describe('Function: secretReadResource', () => {
  it('grants a secret read by name on the name and its 6-character suffix', () => {
    // Act & Assess
    expect(secretReadResource('longshore/webhook')).toBe(
      'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:longshore/webhook-??????',
    );
    expect(secretReadResource(ARN)).toBe(ARN);
  });
});
