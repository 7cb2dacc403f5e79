/**
 * The console's web server: node:http on 127.0.0.1 only, in the CLI's process, over the CLI's
 * backends (lib/cli/backends.ts). Pages are HTML made here (a page's live part is also served on
 * its own, for the page script to refresh); actions are JSON POSTs. Every request passes the guard
 * (guard.ts) first; every answer carries a strict Content-Security-Policy (scripts and styles only
 * from the console itself, no frames, no inline code).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import * as z from 'zod';
import type { Catalog } from '../../catalog/schema.ts';
import { type ControlRequestInput, type ControlResponse, runOverrides } from '../../contracts/control.ts';
import { problemSentences } from '../../contracts/schema.ts';
import { Refused, readBody } from '../../local/flowServer.ts';
import { issueSentences } from '../../schemaIssues.ts';
import type { Backend } from '../backends.ts';
import { failureExcerpt } from '../failureExcerpt.ts';
import { FinalRunCache } from '../runListing.ts';
import { ASSETS } from './assets.ts';
import type { ConsoleContext, PageRequest } from './context.ts';
import { cursorCodec } from './cursor.ts';
import { explainHtml, explainPage, parseEvent } from './explainPage.ts';
import { consoleGuard, type Session } from './guard.ts';
import type { Html } from './html.ts';
import { jobsPage } from './jobsPage.ts';
import { errorBody, layout, refusalPage } from './layout.ts';
import { runIdParam } from './params.ts';
import { runLive, runPage } from './runPage.ts';
import { runsFragment, runsPage } from './runsPage.ts';

export interface ConsoleOptions {
  backend: Backend;
  catalog: Catalog;
  stage: string;
  /** 0: any free port. */
  port: number;
  requester: string;
  now?: () => Date;
  eventsDir?: string;
  localLogsDir?: string;
  /** The token (tests); a new random one otherwise. */
  token?: string;
  /** A failed run's last log lines (tests); else read from the backend's logs: see ConsoleContext. */
  logExcerpt?: ConsoleContext['logExcerpt'];
  /** Told of each refused request (the command prints it), and of each failure. */
  onRefused?: (what: string) => void;
  onError?: (e: Error) => void;
}

export interface RunningConsole {
  /** The URL to open: with the token. */
  url: string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

const HTML = 'text/html; charset=utf-8';

/** The bodies of the actions: a retry's changes are the control contract's own (checked again there, with the job's policy). */
const bodies = {
  retry: z.strictObject({
    clientToken: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/)
      .optional(),
    // Checked below with the control contract's own schema (lib/contracts/schema.ts, not zod).
    overrides: z.unknown().optional(),
    /** "Retry failed items" of a fan-out parent (`runs retry --failed`). */
    failed: z.boolean().optional(),
  }),
  cancel: z.strictObject({ reason: z.string().max(255).optional() }),
  explain: z.strictObject({ event: z.string().min(1), run: z.string().max(64).optional() }),
};

const parseBody = async <K extends keyof typeof bodies>(
  req: IncomingMessage,
  kind: K,
): Promise<z.infer<(typeof bodies)[K]>> => {
  const text = await readBody(req);
  let json: unknown;
  try {
    json = JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw new Refused(400, 'the body is not JSON');
  }
  const parsed = bodies[kind].safeParse(json);
  if (!parsed.success) throw new Refused(400, issueSentences(parsed.error).join('; '));
  return parsed.data as z.infer<(typeof bodies)[K]>;
};

/** A control answer's refusal as an HTTP status: bad input 400, unknown run 404, any other refusal 409. */
const statusOfRefusal = (code: string): number =>
  code === 'EVENT_INVALID' ? 400 : code === 'RUN_NOT_FOUND' || code === 'JOB_UNKNOWN' ? 404 : 409;

export const startConsole = async (opts: ConsoleOptions): Promise<RunningConsole> => {
  const now = opts.now ?? (() => new Date());
  const ctx: ConsoleContext = {
    backend: opts.backend,
    catalog: opts.catalog,
    stage: opts.stage,
    now,
    runCache: new FinalRunCache(now),
    requester: opts.requester,
    cursors: cursorCodec(),
    ...(opts.eventsDir ? { eventsDir: opts.eventsDir } : {}),
    ...(opts.localLogsDir ? { localLogsDir: opts.localLogsDir } : {}),
    logExcerpt: opts.logExcerpt ?? ((h) => failureExcerpt(opts.backend, opts.catalog, h)),
  };
  let guard = consoleGuard(0);
  const sockets = new Set<Socket>();

  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    extra: Record<string, string> = {},
  ): void => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'cache-control': 'no-store', 'content-type': type, ...extra });
    res.end(body);
  };
  /** A page's live part: an ETag of its content, so an unchanged poll is a 304. */
  const sendFragment = (req: IncomingMessage, res: ServerResponse, fragment: Html): void => {
    const etag = `"${createHash('sha256').update(fragment.text).digest('base64url').slice(0, 22)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ...SECURITY_HEADERS, 'cache-control': 'no-store', etag });
      res.end();
      return;
    }
    send(res, 200, HTML, fragment.text, { etag });
  };
  const control = async (request: ControlRequestInput): Promise<{ status: number; body: unknown }> => {
    const answer: ControlResponse = await ctx.backend.control({ ...request, requestedBy: ctx.requester });
    if (answer.ok) return { status: 200, body: answer };
    return { status: statusOfRefusal(answer.error.code), body: answer };
  };

  const route = async (req: IncomingMessage, res: ServerResponse, page: PageRequest): Promise<void> => {
    const { pathname } = page.url;
    const method = req.method ?? 'GET';
    const get = method === 'GET' || method === 'HEAD';
    if (get && pathname === '/') {
      res.writeHead(303, { ...SECURITY_HEADERS, location: '/runs' });
      return void res.end();
    }
    if (get && pathname === ASSETS.css.path)
      return send(res, 200, ASSETS.css.type, ASSETS.css.body, {
        'cache-control': 'private, max-age=31536000, immutable',
      });
    if (get && pathname === ASSETS.js.path)
      return send(res, 200, ASSETS.js.type, ASSETS.js.body, {
        'cache-control': 'private, max-age=31536000, immutable',
      });
    if (get && pathname === '/runs') return send(res, 200, HTML, (await runsPage(ctx, page)).text);
    if (get && pathname === '/runs/rows') return sendFragment(req, res, await runsFragment(ctx, page));
    if (get && pathname === '/jobs') return send(res, 200, HTML, (await jobsPage(ctx, page)).text);
    if (get && pathname === '/explain') return send(res, 200, HTML, (await explainPage(ctx, page)).text);
    if (method === 'POST' && pathname === '/explain') {
      const body = await parseBody(req, 'explain');
      return send(res, 200, HTML, (await explainHtml(ctx, parseEvent(body.event), body.run || undefined)).text);
    }
    const m = /^\/runs\/([^/]+)(\/body|\/retry|\/cancel)?$/.exec(pathname);
    if (m) {
      const runId = runIdParam(m[1] as string);
      const what = m[2];
      if (get && (what === undefined || what === '/body')) {
        const h = await ctx.backend.history(runId);
        if (!h) throw new Refused(404, `run '${runId}' does not exist in ${ctx.backend.label}`);
        return what === '/body'
          ? sendFragment(req, res, await runLive(ctx, h))
          : send(res, 200, HTML, (await runPage(ctx, page, h)).text);
      }
      if (method === 'POST' && what === '/retry') {
        const body = await parseBody(req, 'retry');
        const changes = body.overrides === undefined ? undefined : runOverrides.safeParse(body.overrides);
        if (changes && !changes.success)
          throw new Refused(
            400,
            problemSentences(changes.error)
              .map((p) => `overrides.${p}`)
              .join('; '),
          );
        const overrides = changes?.data;
        const r = await control({
          action: 'retry',
          runId,
          ...(body.clientToken ? { clientToken: body.clientToken } : {}),
          ...(overrides && Object.keys(overrides).length > 0 ? { overrides } : {}),
          ...(body.failed ? { failed: true } : {}),
        });
        return send(res, r.status, 'application/json', JSON.stringify(r.body));
      }
      if (method === 'POST' && what === '/cancel') {
        const body = await parseBody(req, 'cancel');
        const r = await control({ action: 'cancel', runId, ...(body.reason ? { reason: body.reason } : {}) });
        return send(res, r.status, 'application/json', JSON.stringify(r.body));
      }
    }
    throw new Refused(get || method === 'POST' ? 404 : 405, `no page ${pathname}`);
  };

  const server: Server = createServer(async (req, res) => {
    let session: Session | undefined;
    const page = req.method === 'GET' && !String(req.url ?? '').startsWith('/assets/');
    try {
      const admission = guard.admit(req);
      if ('redirect' in admission) {
        res.writeHead(303, {
          ...SECURITY_HEADERS,
          'cache-control': 'no-store',
          location: admission.redirect,
          'set-cookie': admission.setCookie,
        });
        return void res.end();
      }
      session = admission.session;
      await route(req, res, { url: new URL(req.url ?? '/', guard.origin), session });
    } catch (e) {
      const refused = e instanceof Refused;
      if (!refused) opts.onError?.(e as Error);
      const status = refused ? e.status : 500;
      const message = refused ? e.message : 'the console failed to answer this request; see its terminal';
      if (refused && (status === 401 || status === 403))
        opts.onRefused?.(
          `${req.method} ${String(req.url ?? '').replace(/token=[^&]*/, 'token=…')}: ${status} ${message}`,
        );
      if (res.headersSent) return void res.end();
      if (!session) return send(res, status, HTML, refusalPage(status, message));
      if (page)
        return send(
          res,
          status,
          HTML,
          layout(
            ctx,
            { url: new URL('/', guard.origin), session },
            { title: String(status), body: errorBody(status, message) },
          ).text,
        );
      send(res, status, 'application/json', JSON.stringify({ ok: false, error: { code: `HTTP_${status}`, message } }));
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  guard = consoleGuard(port, opts.token);
  return {
    url: `${guard.origin}/?token=${guard.token}`,
    origin: guard.origin,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
};
