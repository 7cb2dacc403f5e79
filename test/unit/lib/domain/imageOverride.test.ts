/** Runs on another image: the tag and image grammar, the derived family, the derived definition. */
import { describe, expect, it } from 'vitest';
import {
  CONTENT_HASH_TAG,
  deriveDefinition,
  derivedFamily,
  imageTagProblem,
  imageUriProblem,
  jobFamilyOf,
  type TaskDefinitionSpec,
  withTag,
} from '../../../../lib/domain/imageOverride.ts';

const ECR = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/data/ingest';
const base: TaskDefinitionSpec = {
  family: 'longshore-dev-csv-ingest',
  cpu: '1024',
  containerDefinitions: [
    { name: 'main', image: `${ECR}:1.12.0`, essential: true },
    { name: 'otel', image: 'otel:1' },
  ],
};

describe('Function: imageTagProblem', () => {
  it.each(['1.13.0-rc1', 'latest', '_x', 'A'.repeat(128)])('accepts the Docker tag %s', (tag) => {
    expect(imageTagProblem(tag)).toBeUndefined();
  });

  it.each(['', '-rc', '.x', 'a/b', 'a:b', 'A'.repeat(129), 'é'])('refuses %j', (tag) => {
    expect(imageTagProblem(tag)).toBe(
      'must be a Docker tag: letters, digits and _ first, then also . and -, at most 128 characters',
    );
  });
});

describe('Function: imageUriProblem', () => {
  it.each([
    'public.ecr.aws/docker/library/python:3.14-slim',
    `${ECR}:2.0.0`,
    'localhost:5000/team/app:1',
    `ghcr.io/acme/app@sha256:${'a'.repeat(64)}`,
  ])('accepts %s', (uri) => {
    expect(imageUriProblem(uri)).toBeUndefined();
  });

  it('refuses uppercase repositories, a missing tag, and more than 255 characters, saying which', () => {
    expect(imageUriProblem('Acme/App:1')).toMatch(/^must be an image reference/);
    expect(imageUriProblem('localhost:5000/team/app')).toBe(
      'must name a tag or a digest (without one it means :latest, which moves)',
    );
    expect(imageUriProblem(`r/${'a'.repeat(260)}:1`)).toBe("must be at most 255 characters (ECS's limit)");
  });
});

describe('Function: withTag', () => {
  it('replaces the tag or the digest, keeping a registry port', () => {
    expect(withTag(`${ECR}:1.12.0`, '2.0')).toBe(`${ECR}:2.0`);
    expect(withTag(`${ECR}@sha256:${'b'.repeat(64)}`, '2.0')).toBe(`${ECR}:2.0`);
    expect(withTag('localhost:5000/app', 'x')).toBe('localhost:5000/app:x');
  });
});

describe('Function: derivedFamily', () => {
  it('depends on the job family and the override only, and leads back to the job family', () => {
    const family = derivedFamily('longshore-dev-csv-ingest', { imageTag: '2.0' });

    expect(family).toMatch(/^longshore-dev-csv-ingest_[0-9a-f]{16}$/);
    expect(derivedFamily('longshore-dev-csv-ingest', { imageTag: '2.0' })).toBe(family);
    expect(derivedFamily('longshore-dev-csv-ingest', { image: '2.0' })).not.toBe(family);
    expect(jobFamilyOf(family)).toBe('longshore-dev-csv-ingest');
    expect(jobFamilyOf('longshore-dev-csv-ingest')).toBeUndefined();
  });
});

describe('Function: deriveDefinition', () => {
  const ctx = { stage: 'dev', job: 'csv-ingest' };

  it('replaces only the main image, in the derived family, with the content hash and the job tags but AWS own', () => {
    // Act
    const d = deriveDefinition(
      base,
      [
        { key: 'team', value: 'data' },
        { key: 'aws:cloudformation:stack-name', value: 'longshore-dev' },
      ],
      { imageTag: '2.0' },
      ctx,
    );

    // Assess
    expect(d.image).toBe(`${ECR}:2.0`);
    expect(d.spec).toEqual({
      family: derivedFamily(base.family, { imageTag: '2.0' }),
      cpu: '1024',
      containerDefinitions: [
        { name: 'main', image: `${ECR}:2.0`, essential: true },
        { name: 'otel', image: 'otel:1' },
      ],
    });
    expect(d.tags).toEqual([
      { key: 'team', value: 'data' },
      { key: 'longshore:stage', value: 'dev' },
      { key: 'longshore:job', value: 'csv-ingest' },
      { key: 'longshore:image', value: `${ECR}:2.0` },
      { key: CONTENT_HASH_TAG, value: d.hash },
    ]);
  });

  it('hashes the content, not its key order: another deploy of the job gives another hash', () => {
    // Prepare
    const reordered: TaskDefinitionSpec = {
      containerDefinitions: base.containerDefinitions,
      cpu: '1024',
      family: base.family,
    };
    const redeployed: TaskDefinitionSpec = { ...base, cpu: '2048' };

    // Act
    const [a, b, c] = [base, reordered, redeployed].map((s) => deriveDefinition(s, [], { imageTag: '2.0' }, ctx).hash);

    // Assess
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });
});
