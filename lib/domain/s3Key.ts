/**
 * S3 object keys in events. Classic S3 notifications carry the key form-URL-encoded ("red flower.jpg"
 * arrives as "red+flower.jpg", a literal "+" as "%2B"); decodeURIComponent alone would leave the
 * spaces as "+". EventBridge "Object Created" events are taken as delivered: AWS documents the
 * encoding only for the classic format (aws-facts.md §d, open question 1; docs/decisions.md).
 */

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
