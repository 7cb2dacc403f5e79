/** The short cause of a failure, for an alert's subject: the image, the secret, the container. */
import { describe, expect, it } from 'vitest';
import { failureHeadline, shortImageName } from '../../../../lib/domain/failureHeadline.ts';
import { loadEvent } from '../../../helpers/events.ts';

const reasonOf = (file: string): string =>
  String(loadEvent<{ detail: { stoppedReason: string } }>(file).detail.stoppedReason);

describe('Function: failureHeadline', () => {
  it.each<[string, Parameters<typeof failureHeadline>[0], string | undefined]>([
    [
      'an image that does not exist (events/)',
      { reasons: [reasonOf('ecs-task-stopped-pull-failure')] },
      'image data/ingest:1.12.0 not found',
    ],
    [
      'a registry timeout (events/)',
      { reasons: [reasonOf('ecs-task-stopped-pull-timeout')] },
      'image data/ingest:1.12.0: pull timed out',
    ],
    [
      'a pull the role may not make',
      {
        reasons: [
          'CannotPullContainerError: pull access denied for 1.dkr.ecr.eu-west-1.amazonaws.com/acme/side, repository does not exist',
        ],
      },
      'image acme/side: pull access denied',
    ],
    [
      'an image without a build for the architecture',
      {
        reasons: [
          'CannotPullContainerError: failed to resolve ref "docker.io/library/nginx:1.27": no match for platform in manifest',
        ],
      },
      'image nginx:1.27 has no build for the task architecture',
    ],
    [
      'a pull failure with no detail',
      { reasons: ['CannotPullContainerError: unexpected EOF'] },
      'the image could not be pulled',
    ],
    [
      'a pull failure naming no image',
      { reasons: ['CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: i/o timeout'] },
      'the image could not be pulled (timed out)',
    ],
    [
      'an image whose pull failed for a cause it does not know',
      { reasons: ['CannotPullContainerError: failed to resolve ref acme/app:2: unexpected EOF'] },
      'image acme/app:2 could not be pulled',
    ],
    [
      'a secret the role may not read (events/)',
      { reasons: [reasonOf('ecs-task-stopped-secrets-failure')] },
      'cannot read secret finance/smtp-Qx7YtZ (access denied)',
    ],
    [
      'an SSM parameter that does not exist',
      {
        reasons: [
          'ResourceInitializationError: unable to pull secrets: ParameterNotFound: arn:aws:ssm:eu-west-1:1:parameter/app/db-password',
        ],
      },
      'cannot read secret /app/db-password (not found)',
    ],
    [
      'a KMS key the role may not use',
      { reasons: ['ResourceInitializationError: unable to retrieve secret from asm: KMS AccessDeniedException'] },
      "cannot read the task's secrets (KMS decrypt denied)",
    ],
    [
      'a secrets fetch that timed out',
      { reasons: ['ResourceInitializationError: unable to pull secrets: context deadline exceeded'] },
      "cannot read the task's secrets (timed out)",
    ],
    [
      'a secrets failure with no detail',
      { reasons: ['ResourceInitializationError: boom'] },
      "cannot read the task's secrets (unreadable)",
    ],
    ['a timeout', { reasons: [reasonOf('ecs-task-stopped-timeout')], exitCode: 143 }, 'timed out after 2h (limit 2h)'],
    [
      'an OOM kill',
      {
        reasons: ['OutOfMemoryError: Container killed due to memory usage'],
        exitCode: 137,
        container: 'main',
        memory: 2048,
      },
      "container 'main' ran out of memory at 2 GB (exit 137)",
    ],
    [
      'an OOM kill with no container or size',
      { reasons: ['OutOfMemoryError'], exitCode: 137 },
      'the task ran out of memory (exit 137)',
    ],
    [
      'a diagnosis with detail after ";"',
      { diagnosis: 'exit 2: failed; retrying with 4 GB', reasons: [] },
      'exit 2: failed',
    ],
    ['only ECS words', { reasons: ['Essential container in task exited'] }, 'Essential container in task exited'],
    ['nothing known', { reasons: [] }, undefined],
  ])('returns the short cause for %s', (_what, facts, headline) => {
    // Act & Assess
    expect(failureHeadline(facts)).toBe(headline);
  });
});

describe('Function: shortImageName', () => {
  it.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/data/ingest:1.12.0', 'data/ingest:1.12.0'],
    ['docker.io/library/nginx:1.27', 'nginx:1.27'],
    ['localhost/app:dev', 'app:dev'],
    ['registry:5000/team/app:2', 'team/app:2'],
    ['acme/app:1', 'acme/app:1'],
    [`public.ecr.aws/acme/app@sha256:${'ab'.repeat(32)}`, 'acme/app@sha256:abababababab'],
  ])('shortens %s to %s', (ref, short) => {
    // Act & Assess
    expect(shortImageName(ref)).toBe(short);
  });
});
