/**
 * The short cause of a failure, for places with little room (an alert's subject): the image that
 * could not be pulled, the secret that could not be read, the container that ran out of memory.
 * The short cause comes before any long detail, so a cut keeps what matters. Names only: a secret's
 * name or ARN may appear, never a value (ECS reasons carry none).
 */
import { formatMemory } from './fargateSizes.ts';

export interface HeadlineFacts {
  /** The policy's diagnosis in plain words. */
  diagnosis?: string;
  /** ECS's own words: the deciding container's reason, the task's stopped reason, a launch failure. */
  reasons: readonly string[];
  exitCode?: number;
  container?: string;
  memory?: number;
}

/** "123456789012.dkr.ecr.eu-west-1.amazonaws.com/data/ingest:1.12.0" -> "data/ingest:1.12.0". */
export const shortImageName = (ref: string): string => {
  const parts = ref.split('/');
  const first = parts[0] ?? '';
  const host = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let name = (host ? parts.slice(1) : parts).join('/');
  if (host && first === 'docker.io' && name.startsWith('library/')) name = name.slice('library/'.length);
  return name.replace(/@sha256:([0-9a-f]{12})[0-9a-f]+$/, '@sha256:$1');
};

const IMAGE_REF = [
  /failed to resolve ref(?:erence)? "?([^\s"]+?)"?:\s/,
  /manifest for ([^\s"]+) not found/,
  /pull access denied for ([^\s,"]+)/,
];

/** Each cause: how it joins an image name, and in a word when the reason names no image. */
const PULL_CAUSES: [RegExp, string, string][] = [
  [/: not found|manifest unknown|not found:/i, ' not found', 'not found'],
  [/denied|unauthorized|403|authorization failed/i, ': pull access denied', 'access denied'],
  [/platform/i, ' has no build for the task architecture', 'no build for the task architecture'],
  [/timeout|deadline exceeded|connection reset/i, ': pull timed out', 'timed out'],
];

const imageHeadline = (text: string): string => {
  const ref = IMAGE_REF.map((re) => re.exec(text)?.[1]).find((r) => r !== undefined);
  const cause = PULL_CAUSES.find(([re]) => re.test(text));
  if (ref) return `image ${shortImageName(ref)}${cause ? cause[1] : ' could not be pulled'}`;
  return `the image could not be pulled${cause ? ` (${cause[2]})` : ''}`;
};

const secretHeadline = (text: string): string => {
  const name =
    /:secret:([A-Za-z0-9/_+=.@-]+)/.exec(text)?.[1] ?? /:parameter(\/?[A-Za-z0-9/_.-]+)/.exec(text)?.[1] ?? undefined;
  const why = /KMS/i.test(text)
    ? 'KMS decrypt denied'
    : /AccessDenied|not authorized/i.test(text)
      ? 'access denied'
      : /ResourceNotFound|ParameterNotFound|InvalidParameters|not found/i.test(text)
        ? 'not found'
        : /deadline exceeded|timeout|RequestCanceled/i.test(text)
          ? 'timed out'
          : 'unreadable';
  return name ? `cannot read secret ${name} (${why})` : `cannot read the task's secrets (${why})`;
};

/**
 * The short cause, or undefined when nothing is known.
 *
 * @example failureHeadline({ reasons: ['CannotPullContainerError: ... failed to resolve ref r.io/a/b:1: r.io/a/b:1: not found'] }) // 'image a/b:1 not found'
 */
export const failureHeadline = (f: HeadlineFacts): string | undefined => {
  const text = [...f.reasons, f.diagnosis ?? ''].join('\n');
  if (/CannotPullContainerError/.test(text)) return imageHeadline(text);
  if (/ResourceInitializationError|unable to pull secrets|unable to retrieve secret/.test(text))
    return secretHeadline(text);
  const timeout = f.reasons.find((r) => r.startsWith('longshore: timed out'));
  if (timeout) return timeout.replace(/^longshore: /, '');
  if (f.exitCode === 137 && /OutOfMemoryError/.test(text))
    return `${f.container ? `container '${f.container}'` : 'the task'} ran out of memory${f.memory ? ` at ${formatMemory(f.memory)}` : ''} (exit 137)`;
  const first = f.diagnosis?.split(';')[0]?.trim();
  return first || f.reasons[0];
};
