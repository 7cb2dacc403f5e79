/**
 * A run on another image (`trigger JOB --image-tag TAG`, `--image URI`). ECS RunTask cannot
 * override a container's image (its containerOverrides have no `image`: ECS API reference,
 * ContainerOverride), so such a run needs a task definition of its own: the job's, with the main
 * container's image replaced, registered in a family of its own (`<job family>_<16 hex>`, derived
 * from the job's family and the override alone) and tagged with the hash of its whole content. The
 * launcher reuses the family's latest revision when its hash matches and registers one otherwise
 * (lib/runTaskDefinition.ts); the sweeper deregisters revisions no active run uses after
 * `DERIVED_RETENTION_DAYS` (docs/decisions.md, "Runs on another image"). Pure.
 */
import { createHash } from 'node:crypto';
import { MAIN_CONTAINER_NAME } from './names.ts';

/**
 * Docker's tag grammar (distribution/reference: `[\w][\w.-]{0,127}`): letters, digits and `_`
 * first, then also `.` and `-`, 128 characters at most.
 */
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * An image reference as Docker's grammar (distribution/reference) writes it: an optional registry
 * host (with a port), lowercase path components joined by `/`, then a tag, a digest or both.
 * ECS's `image` takes up to 255 characters (ECS API reference, ContainerDefinition `image`).
 */
const DOMAIN =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?';
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST = 'sha256:[a-f0-9]{64}';
const IMAGE_URI_PATTERN = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`);
export const IMAGE_URI_MAX = 255;

/** How long a derived revision no active run uses stays registered (its family is reused meanwhile). */
export const DERIVED_RETENTION_DAYS = 7;

/** What a run asks to run on: a tag of the job's own repository, or a whole image reference. */
export type ImageOverride = { imageTag: string } | { image: string };

/** Why `tag` is not a Docker tag, or undefined when it is one. */
export const imageTagProblem = (tag: string): string | undefined =>
  IMAGE_TAG_PATTERN.test(tag)
    ? undefined
    : 'must be a Docker tag: letters, digits and _ first, then also . and -, at most 128 characters';

/** Why `uri` is not an image reference a run may name, or undefined when it is one. */
export const imageUriProblem = (uri: string): string | undefined => {
  if (uri.length > IMAGE_URI_MAX) return `must be at most ${IMAGE_URI_MAX} characters (ECS's limit)`;
  if (!IMAGE_URI_PATTERN.test(uri))
    return 'must be an image reference: [registry/]repository[:tag][@sha256:digest], the repository in lowercase';
  // A name without a tag or digest means :latest, which moves: the run would not say what it ran.
  if (!/:[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(uri.split('/').at(-1) ?? '') && !uri.includes('@'))
    return 'must name a tag or a digest (without one it means :latest, which moves)';
  return undefined;
};

/**
 * The job's image with its tag (and any digest) replaced.
 *
 * @example withTag('123456789012.dkr.ecr.eu-west-1.amazonaws.com/data/ingest:1.12.0', '1.13.0-rc1')
 * // '123456789012.dkr.ecr.eu-west-1.amazonaws.com/data/ingest:1.13.0-rc1'
 */
export const withTag = (image: string, tag: string): string => {
  const noDigest = image.split('@')[0] as string;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const repository = colon > slash ? noDigest.slice(0, colon) : noDigest;
  return `${repository}:${tag}`;
};

/** The override as the run records it (one of the two), if it has one. */
export const imageOverrideOf = (o: { imageTag?: string; image?: string } | undefined): ImageOverride | undefined =>
  o?.image !== undefined ? { image: o.image } : o?.imageTag !== undefined ? { imageTag: o.imageTag } : undefined;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** JSON with every object's keys sorted: the same content always gives the same text. */
const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.keys(v)
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);

/**
 * The family of a job's runs on one override: the job's family, `_` (never in a job name, so no
 * job's family is a prefix of another's derived ones), 16 hex of the override's hash. It depends on
 * the override alone, so the sweeper knows the families active runs use without asking ECS.
 */
export const derivedFamily = (jobFamily: string, o: ImageOverride): string =>
  `${jobFamily}_${sha256('imageTag' in o ? `tag:${o.imageTag}` : `image:${o.image}`).slice(0, 16)}`;

/** The job family a derived family belongs to, or undefined when `family` is not a derived one. */
export const jobFamilyOf = (family: string): string | undefined => /^(.+)_[0-9a-f]{16}$/.exec(family)?.[1];

/** A task definition as RegisterTaskDefinition takes it (lib/aws/ecs.ts keeps only these fields). */
export interface TaskDefinitionSpec {
  family: string;
  containerDefinitions: ({ name?: string; image?: string } & Record<string, unknown>)[];
  [field: string]: unknown;
}

/** Tag keys longshore writes on a derived revision. */
export const CONTENT_HASH_TAG = 'longshore:content-hash';
export const DERIVED_TAGS = { stage: 'longshore:stage', job: 'longshore:job', image: 'longshore:image' } as const;

export interface DerivedDefinition {
  spec: TaskDefinitionSpec;
  /** sha256 of the derived definition's content (every field but the tags), hex. */
  hash: string;
  image: string;
  tags: { key: string; value: string }[];
}

/**
 * The job's task definition with the main container on the override's image, in its derived
 * family, with its content hash; the job's own tags are kept (RunTask propagates the task
 * definition's tags to the task) and longshore's are added.
 */
export const deriveDefinition = (
  base: TaskDefinitionSpec,
  baseTags: readonly { key: string; value: string }[],
  o: ImageOverride,
  ctx: { stage: string; job: string },
): DerivedDefinition => {
  const main = base.containerDefinitions.find((c) => c.name === MAIN_CONTAINER_NAME);
  if (!main?.image) throw new Error(`task definition ${base.family} has no '${MAIN_CONTAINER_NAME}' container image`);
  const image = 'imageTag' in o ? withTag(main.image, o.imageTag) : o.image;
  const spec: TaskDefinitionSpec = {
    ...base,
    family: derivedFamily(base.family, o),
    containerDefinitions: base.containerDefinitions.map((c) => (c.name === MAIN_CONTAINER_NAME ? { ...c, image } : c)),
  };
  const hash = sha256(canonical(spec));
  const ours = new Set<string>([CONTENT_HASH_TAG, ...Object.values(DERIVED_TAGS)]);
  return {
    spec,
    hash,
    image,
    tags: [
      // `aws:` keys are AWS's own (CloudFormation's stack tags): a request may not set them.
      ...baseTags.filter((t) => !ours.has(t.key) && !t.key.toLowerCase().startsWith('aws:')),
      { key: DERIVED_TAGS.stage, value: ctx.stage },
      { key: DERIVED_TAGS.job, value: ctx.job },
      { key: DERIVED_TAGS.image, value: image },
      { key: CONTENT_HASH_TAG, value: hash },
    ],
  };
};
