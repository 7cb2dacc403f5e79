/**
 * A listing's cursor as a link carries it: base64url JSON, signed with a secret of this console
 * process. The cursor holds the store's own page keys, which go to the table as they are; a
 * signature means only cursors this console made come back (anything else is refused, naming the
 * parameter, before a request reaches the store).
 */
import { createHmac, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { Refused, sameToken } from '../../local/flowServer.ts';
import type { RunCursor } from '../runListing.ts';

const runCursor = z.union([
  z.strictObject({
    kind: z.literal('history'),
    jobs: z.record(
      z.string().max(64),
      z.strictObject({ page: z.string().max(4096).optional(), after: z.string().max(256).optional() }),
    ),
  }),
  z.strictObject({ kind: z.literal('active'), before: z.string().max(256) }),
]);

export interface CursorCodec {
  encode(cursor: RunCursor): string;
  /** The cursor, or a 400 naming `cursor` when this console did not make it. */
  decode(text: string): RunCursor;
}

/**
 * @example const cursors = cursorCodec(); cursors.decode(cursors.encode(listing.cursor))
 */
export const cursorCodec = (secret: Buffer = randomBytes(32)): CursorCodec => {
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('base64url').slice(0, 32);
  return {
    encode: (cursor) => {
      const body = Buffer.from(JSON.stringify(cursor)).toString('base64url');
      return `${body}.${sign(body)}`;
    },
    decode: (text) => {
      const [body, signature, ...rest] = text.split('.');
      if (!body || !signature || rest.length > 0 || !sameToken(signature, sign(body)))
        throw new Refused(
          400,
          'cursor: not a cursor of this console (it changes when the console restarts); start from the first page',
        );
      const parsed = runCursor.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
      if (!parsed.success) throw new Refused(400, 'cursor: not a cursor of this console');
      return parsed.data as RunCursor;
    },
  };
};
