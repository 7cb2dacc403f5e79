/**
 * Who may use the console: only the person who started it, from their own browser. The port is
 * loopback only, but any page the browser has open can reach a loopback port (a form post, a
 * fetch, a name of its own rebound to 127.0.0.1), so every request passes these checks:
 *
 * 1. Host is `127.0.0.1:<port>` and an Origin, if any, is the console's own: the local control
 *    port's checks (lib/local/flowServer.ts), with the console's origin allowed.
 * 2. The per-start token: in the URL the console prints (as Jupyter does), exchanged on the first
 *    request for a session cookie (HttpOnly, SameSite=Strict) and a redirect to the same URL
 *    without it, so the token leaves the address bar and the history; then the cookie on every
 *    request (pages, fragments, assets).
 * 3. Actions (every POST) also carry the session's CSRF token in a header, come with the console's
 *    Origin, and send JSON: a cross-site form can do none of these.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { checkLoopbackHost, checkOrigin, Refused, sameToken } from '../../local/flowServer.ts';

export const CSRF_HEADER = 'x-longshore-csrf';
/** Sessions kept at once; the oldest goes first (each one needs the token to be made). */
const MAX_SESSIONS = 64;

export interface Session {
  id: string;
  csrf: string;
}

/** Admitted: a session, or the token was given and the browser is sent on with the cookie. */
export type Admission = { session: Session } | { redirect: string; setCookie: string };

const random = (): string => randomBytes(32).toString('base64url');

const cookieOf = (header: string | undefined, name: string): string | undefined => {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
};

export interface ConsoleGuard {
  readonly token: string;
  readonly origin: string;
  /** Checks a request in full (Host, Origin, token or session, and for an action the CSRF token). */
  admit(req: Pick<IncomingMessage, 'headers' | 'method' | 'url'>): Admission;
}

/**
 * @example const guard = consoleGuard(port); guard.admit(req)
 */
export const consoleGuard = (port: number, token: string = random()): ConsoleGuard => {
  const origin = `http://127.0.0.1:${port}`;
  const cookie = `longshore_console_${port}`;
  const sessions = new Map<string, Session>();
  const sessionOf = (id: string | undefined): Session | undefined => {
    if (!id) return undefined;
    for (const s of sessions.values()) if (sameToken(id, s.id)) return s;
    return undefined;
  };
  return {
    token,
    origin,
    admit: (req) => {
      checkLoopbackHost(req, port, 'the console');
      checkOrigin(req, [origin], `requests from another origin are refused; the console's pages are on ${origin}`);
      const method = req.method ?? 'GET';
      const url = new URL(req.url ?? '/', origin);
      const session = sessionOf(cookieOf(req.headers.cookie, cookie));
      if (method === 'GET' || method === 'HEAD') {
        if (session) return { session };
        const given = url.searchParams.get('token');
        if (given === null || !sameToken(given, token))
          throw new Refused(401, 'this console needs its token: open the URL `longshore console` printed');
        const made: Session = { id: random(), csrf: random() };
        sessions.set(made.id, made);
        if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
        url.searchParams.delete('token');
        return {
          redirect: `${url.pathname}${url.search}`,
          setCookie: `${cookie}=${made.id}; HttpOnly; SameSite=Strict; Path=/`,
        };
      }
      if (method !== 'POST') throw new Refused(405, `${method} is not used here: pages are GET, actions POST`);
      if (!session) throw new Refused(401, 'this console needs its token: open the URL `longshore console` printed');
      if (req.headers.origin !== origin)
        throw new Refused(403, `an action must come from the console's own page (${origin})`);
      const csrf = req.headers[CSRF_HEADER];
      if (typeof csrf !== 'string' || !sameToken(csrf, session.csrf))
        throw new Refused(403, `an action needs the page's CSRF token in the ${CSRF_HEADER} header; reload the page`);
      const type = String(req.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase();
      if (type !== 'application/json') throw new Refused(415, 'an action sends content-type: application/json');
      return { session };
    },
  };
};
