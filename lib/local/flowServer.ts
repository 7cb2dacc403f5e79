/**
 * While the local flow runs, the CLI talks to it over a loopback HTTP port (the embedded store is
 * the flow's own): `<state>/flow.json` says where. Only 127.0.0.1, only while the flow runs, and
 * only for the CLI of the user who started it: a page in a browser can reach a loopback port too
 * (directly, or by DNS rebinding a name of its own to 127.0.0.1), so every request must carry the
 * per-start token from `flow.json` (owner-only, 0600), may not come from a page (no Origin), must
 * name the port by its address (Host), and must be a small JSON body naming a function of the table.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import * as z from 'zod';
import type { RunStore } from '../ports.ts';
import { issueSentences } from '../schemaIssues.ts';
import { FUNCTION_KEYS, type FunctionKey } from './functionKeys.ts';
import type { InvokeResult } from './LocalRuntime.ts';

export const FLOW_FILE = 'flow.json';
/** The token header: `authorization: Bearer <token>`. */
export const FLOW_AUTH_HEADER = 'authorization';
/** A control request is small (overrides are at most 8,192 characters); handler events stay under Lambda's 256 KB. */
export const MAX_FLOW_BODY_BYTES = 256 * 1024;

export interface FlowInfo {
  port: number;
  pid: number;
  startedAt: string;
  /** 32 random bytes, base64url; new at every start. */
  token: string;
}

/** What the port serves: the running flow's handlers, its store and its idle wait. */
export interface FlowHost {
  readonly stateDir: string;
  readonly store: Pick<RunStore, StoreOp>;
  invoke(fn: FunctionKey, event: unknown): Promise<InvokeResult>;
  idle(timeoutMs: number): Promise<boolean>;
}

/** The store reads the CLI and the console make of a running flow (reads only: nothing here writes). */
const STORE_OPS = [
  'runsOfJob',
  'getHistory',
  'getRun',
  'activeRuns',
  'queuedRuns',
  'slotHolders',
  'getJobState',
  // a fan-out parent's `runs show` (lib/cli/backends.ts)
  'childTally',
] as const;
export type StoreOp = (typeof STORE_OPS)[number];

const bodies = {
  '/invoke': z.strictObject({
    fn: z.string().refine((fn) => (FUNCTION_KEYS as readonly string[]).includes(fn), {
      error: (i) => `unknown function '${String(i.input)}'; the flow runs ${FUNCTION_KEYS.join(', ')}`,
    }),
    event: z.unknown(),
  }),
  '/idle': z.strictObject({ waitMs: z.number().int().min(0).max(600_000).optional() }),
  '/store': z.strictObject({
    op: z.enum(STORE_OPS, { error: `op must be one of ${STORE_OPS.join(', ')}` }),
    args: z.array(z.unknown()).max(3).default([]),
  }),
} as const;

/** An answer with a status: thrown by the checks, sent by the server (here and by the console). */
export class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Equal-length digests, so the comparison takes the same time whatever the guess. */
export const sameToken = (given: string, expected: string): boolean => timingSafeEqual(digest(given), digest(expected));

export const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_FLOW_BODY_BYTES) return reject(new Refused(413, `body over ${MAX_FLOW_BODY_BYTES} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_FLOW_BODY_BYTES) {
        reject(new Refused(413, `body over ${MAX_FLOW_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/**
 * The Host check of every loopback port longshore serves (this one, the console's): its address and
 * port by number, so a page that rebinds a name of its own to 127.0.0.1 is refused.
 */
export const checkLoopbackHost = (req: Pick<IncomingMessage, 'headers'>, port: number, who: string): void => {
  if (req.headers.host !== `127.0.0.1:${port}`)
    throw new Refused(403, `Host must be 127.0.0.1:${port}; ${who} answers only its loopback address`);
};

/** The Origin check: a request from a page must come from one of `allowed` (none: no page at all). */
export const checkOrigin = (
  req: Pick<IncomingMessage, 'headers'>,
  allowed: readonly string[],
  refusal: string,
): void => {
  const origin = req.headers.origin;
  if (origin !== undefined && !allowed.includes(origin)) throw new Refused(403, refusal);
};

/** Host, Origin and token, in that order: a rebinding page learns nothing, not even the token's rule. */
const admit = (req: IncomingMessage, port: number, token: string): void => {
  checkLoopbackHost(req, port, 'the local flow');
  checkOrigin(req, [], 'requests with an Origin (from a browser page) are refused; use the longshore CLI');
  const auth = req.headers[FLOW_AUTH_HEADER];
  const given = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
  if (given === undefined || !sameToken(given, token))
    throw new Refused(401, `missing or wrong token: the CLI sends the one in ${FLOW_FILE}`);
};

const parseBody = async <P extends keyof typeof bodies>(req: IncomingMessage, path: P) => {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (type !== 'application/json') throw new Refused(415, 'the body must be content-type: application/json');
  const text = await readBody(req);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Refused(400, 'the body is not JSON');
  }
  const parsed = bodies[path].safeParse(json);
  if (!parsed.success) throw new Refused(400, issueSentences(parsed.error).join('; '));
  return parsed.data as z.infer<(typeof bodies)[P]>;
};

/** Writes the file owner-only (0600) in one step: a fresh temporary file, then renamed over. */
const writePrivate = (file: string, content: string): void => {
  const temp = `${file}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  writeFileSync(temp, content, { mode: 0o600, flag: 'wx' });
  renameSync(temp, file);
};

export const serveFlow = async (host: FlowHost): Promise<() => Promise<void>> => {
  const token = randomBytes(32).toString('base64url');
  let port = 0;
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify(body));
    };
    try {
      admit(req, port, token);
      const path = req.url ?? '';
      if (path === '/health') {
        if (req.method !== 'GET') throw new Refused(405, 'GET /health');
        return send(200, { ok: true });
      }
      if (path !== '/invoke' && path !== '/idle' && path !== '/store') throw new Refused(404, 'not found');
      if (req.method !== 'POST') throw new Refused(405, `POST ${path}`);
      if (path === '/invoke') {
        const body = await parseBody(req, path);
        return send(200, await host.invoke(body.fn as FunctionKey, body.event));
      }
      if (path === '/idle') {
        const body = await parseBody(req, path);
        return send(200, { idle: await host.idle(body.waitMs ?? 60_000) });
      }
      const body = await parseBody(req, path);
      const op = host.store[body.op] as ((...a: unknown[]) => Promise<unknown>) | undefined;
      if (!op) throw new Refused(404, `the flow does not serve ${body.op}`);
      return send(200, { value: (await op.apply(host.store, body.args)) ?? null });
    } catch (e) {
      if (e instanceof Refused) return send(e.status, { error: e.message });
      send(500, { error: (e as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const file = join(host.stateDir, FLOW_FILE);
  writePrivate(
    file,
    JSON.stringify({ port, pid: process.pid, startedAt: new Date().toISOString(), token } satisfies FlowInfo),
  );
  return async () => {
    rmSync(file, { force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
};

/**
 * Whether this user may trust a flow file: its own, and writable by no one else. The CLI sends the
 * file's token and every control request (overrides included) to the port the file names, so a
 * file someone else could write would let them receive those requests.
 */
const trustedFile = (file: string): boolean => {
  const st = statSync(file);
  const uid = process.getuid?.();
  return (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
};

/** The running flow for a state directory, if there is one that answers to its token (in a file only this user could write). */
export const findFlow = async (stateDir: string): Promise<FlowInfo | undefined> => {
  const file = join(stateDir, FLOW_FILE);
  if (!existsSync(file) || !trustedFile(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as FlowInfo;
    if (typeof info.token !== 'string' || !Number.isInteger(info.port)) return undefined;
    process.kill(info.pid, 0);
    const res = await fetch(`http://127.0.0.1:${info.port}/health`, {
      headers: { [FLOW_AUTH_HEADER]: `Bearer ${info.token}` },
      signal: AbortSignal.timeout(1000),
    });
    return res.ok ? info : undefined;
  } catch {
    return undefined;
  }
};
