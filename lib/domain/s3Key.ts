/**
 * S3 object keys in events. Classic S3 notifications carry the key form-URL-encoded ("red flower.jpg"
 * arrives as "red+flower.jpg", a literal "+" as "%2B"); decodeURIComponent alone would leave the
 * spaces as "+". EventBridge "Object Created" events are taken as delivered: AWS documents the
 * encoding only for the classic format (aws-facts.md §d, open question 1; docs/decisions.md).
 */

import { CONTROL_CHARS_RULE, firstControlChar, hasControlChars } from './taskEnvironment.ts';

/** Decodes a classic notification key; returns undefined if it is not valid percent-encoding. */
export const decodeNotificationKey = (key: string): string | undefined => {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
};

/** The inverse, for building realistic classic notifications in tests and the local flow. */
export const encodeNotificationKey = (key: string): string =>
  encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/gi, '/');

/** S3's longest key: 1,024 bytes of UTF-8 (S3 User Guide, "Naming Amazon S3 objects"). */
export const MAX_KEY_BYTES = 1024;

/**
 * Why a (decoded) key cannot be a run's trigger, or undefined. A key reaches the task only as the
 * S3_KEY variable: a NUL cannot pass through execve and the other control characters (tab, line
 * feed and carriage return aside) corrupt logs and terminals, so they are refused like every other
 * value a task receives; a key longer than S3 allows is not from S3.
 */
export const s3KeyProblem = (key: string): string | undefined => {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `at most ${MAX_KEY_BYTES} bytes (UTF-8), S3's longest key`;
  if (hasControlChars(key)) return `has a control character (${firstControlChar(key)}); ${CONTROL_CHARS_RULE}`;
  return undefined;
};
