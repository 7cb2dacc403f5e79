/**
 * Who may use the console (lib/cli/console/guard.ts): the token of the printed URL, exchanged for a
 * session cookie; the loopback Host and the console's own Origin; for an action, the session's CSRF
 * token and JSON. Also what the pages take from outside: cursors only of this console, escaped HTML.
 */
import { describe, expect, it } from 'vitest';
import { cursorCodec } from '../../../../lib/cli/console/cursor.ts';
import { CSRF_HEADER, consoleGuard, type Session } from '../../../../lib/cli/console/guard.ts';
import { html } from '../../../../lib/cli/console/html.ts';
import { runsParams } from '../../../../lib/cli/console/params.ts';
import { exampleCatalog } from '../../../helpers/catalogs.ts';

const PORT = 7357;
const HOST = `127.0.0.1:${PORT}`;
const ORIGIN = `http://${HOST}`;

const request = (url: string, headers: Record<string, string> = {}, method = 'GET') => ({
  method,
  url,
  headers: { host: HOST, ...headers },
});

/** A guard and a session made with its token (as a browser opening the printed URL). */
const signedIn = () => {
  const guard = consoleGuard(PORT, 'the-token');
  const first = guard.admit(request('/runs?job=thumbnails&token=the-token'));
  if (!('setCookie' in first)) throw new Error('no cookie');
  const cookie = first.setCookie.split(';')[0] as string;
  const again = guard.admit(request('/runs', { cookie }));
  if (!('session' in again)) throw new Error('no session');
  return { guard, first, cookie, session: again.session as Session };
};

const refusal = (fn: () => unknown): { status: number; message: string } | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return { status: (e as { status: number }).status, message: (e as Error).message };
  }
};

describe('Function: consoleGuard', () => {
  it('exchanges the token for an HttpOnly SameSite=Strict cookie and a redirect without the token', () => {
    // Act
    const { first } = signedIn();

    // Assess
    expect(first).toMatchObject({ redirect: '/runs?job=thumbnails' });
    expect('setCookie' in first && first.setCookie).toMatch(
      /^longshore_console_7357=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/$/,
    );
  });

  it('refuses a page without the token or a session, or with a wrong token (401)', () => {
    // Prepare
    const guard = consoleGuard(PORT, 'the-token');

    // Assess
    expect(refusal(() => guard.admit(request('/runs')))?.status).toBe(401);
    expect(refusal(() => guard.admit(request('/runs?token=guess')))?.status).toBe(401);
    expect(refusal(() => guard.admit(request('/runs', { cookie: 'longshore_console_7357=made-up' })))?.status).toBe(
      401,
    );
  });

  it('refuses another Host (a rebound name) and a foreign Origin, even with the token (403)', () => {
    // Prepare
    const guard = consoleGuard(PORT, 'the-token');

    // Act
    const rebound = refusal(() => guard.admit(request('/runs?token=the-token', { host: `evil.example:${PORT}` })));
    const foreign = refusal(() => guard.admit(request('/runs?token=the-token', { origin: 'https://evil.example' })));

    // Assess
    expect(rebound).toEqual({
      status: 403,
      message: `Host must be ${HOST}; the console answers only its loopback address`,
    });
    expect(foreign?.status).toBe(403);
  });

  it('admits an action with the session, its CSRF token, the console Origin and JSON, and refuses each one missing', () => {
    // Prepare
    const { guard, cookie, session } = signedIn();
    const action = (headers: Record<string, string>) => () =>
      guard.admit(
        request(
          '/runs/r/cancel',
          { cookie, origin: ORIGIN, 'content-type': 'application/json', [CSRF_HEADER]: session.csrf, ...headers },
          'POST',
        ),
      );

    // Act
    const admitted = action({})();

    // Assess
    expect(admitted).toEqual({ session });
    expect(refusal(action({ [CSRF_HEADER]: 'guess' }))?.status).toBe(403);
    expect(refusal(action({ origin: 'null' }))?.status).toBe(403);
    expect(refusal(action({ 'content-type': 'text/plain' }))?.status).toBe(415);
    expect(refusal(action({ cookie: '' }))?.status).toBe(401);
    expect(refusal(() => guard.admit(request('/runs/r/cancel', { cookie }, 'PUT')))?.status).toBe(405);
  });

  it('refuses an action without an Origin (a page always sends one with a POST)', () => {
    // Prepare
    const { guard, cookie, session } = signedIn();

    // Act
    const r = refusal(() =>
      guard.admit(
        request('/runs/r/retry', { cookie, 'content-type': 'application/json', [CSRF_HEADER]: session.csrf }, 'POST'),
      ),
    );

    // Assess
    expect(r?.status).toBe(403);
  });
});

describe('Function: cursorCodec', () => {
  it('reads back the cursors it made, and refuses one of another console or edited (400 naming cursor)', () => {
    // Prepare
    const codec = cursorCodec();
    const text = codec.encode({ kind: 'active', before: '2026-11-22T09:00:00.000Z#r' });
    const [body] = text.split('.');

    // Assess
    expect(codec.decode(text)).toEqual({ kind: 'active', before: '2026-11-22T09:00:00.000Z#r' });
    expect(refusal(() => cursorCodec().decode(text))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^cursor:/),
    });
    expect(refusal(() => codec.decode(`${body}.forged`))?.status).toBe(400);
    expect(refusal(() => codec.decode('garbage'))?.status).toBe(400);
  });
});

describe('Function: html', () => {
  it('escapes every value given, and keeps HTML made by html as it is', () => {
    // Act
    const out = html`<td title="${'"><script>'}">${html`<b>${"it's <x>"}</b>`}${undefined}${['a&', 'b']}</td>`;

    // Assess
    expect(out.text).toBe('<td title="&quot;&gt;&lt;script&gt;"><b>it&#39;s &lt;x&gt;</b>a&amp;b</td>');
  });
});

describe('Function: runsParams', () => {
  const parse = (query: string) => () =>
    runsParams(new URLSearchParams(query), exampleCatalog(), new Date('2026-11-22T09:00:05Z'), cursorCodec());

  it('reads job, statuses, trigger kind and text, a time ago and a date, and the page size', () => {
    // Act
    const p = parse(
      'job=thumbnails&status=failed,TIMED_OUT&kind=s3&trigger=uploads/&since=2h&until=2026-11-22&limit=25',
    )();

    // Assess
    expect(p).toMatchObject({
      job: 'thumbnails',
      limit: 25,
      filter: {
        statuses: ['FAILED', 'TIMED_OUT'],
        triggerKind: 's3',
        trigger: 'uploads/',
        since: '2026-11-22T07:00:05.000Z',
        until: '2026-11-22T00:00:00.000Z',
      },
    });
  });

  it('refuses each bad parameter with a 400 naming it', () => {
    // Assess
    expect(refusal(parse('job=nope'))?.message).toMatch(/^job: 'nope' is not a job of the catalog/);
    expect(refusal(parse('status=DONE'))?.message).toMatch(/^status: 'DONE' is not one of/);
    expect(refusal(parse('kind=ftp'))?.message).toMatch(/^kind:/);
    expect(refusal(parse('since=yesterday'))?.message).toMatch(/^since: 'yesterday' is neither a duration/);
    expect(refusal(parse('limit=1000'))?.message).toMatch(/^limit:/);
    expect(refusal(parse('trigger=a%01b'))?.message).toMatch(/^trigger: control characters/);
    expect(refusal(parse('job=thumbnails&job=csv-ingest'))?.message).toBe('job: given 2 times; give it once');
    expect(refusal(parse('cursor=x'))?.status).toBe(400);
  });
});
