/**
 * The local flow's loopback control port (`npm start`): only the CLI of the user who started it may
 * use it. A per-start token from the owner-only state file, no browser page (Origin), no other Host
 * name (DNS rebinding), JSON bodies of bounded size, and functions only from the function table.
 */
import { chmodSync, mkdtempSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowBackend } from '../../lib/cli/backends.ts';
import { FLOW_FILE, type FlowInfo, findFlow, serveFlow } from '../../lib/local/flowServer.ts';
import { LocalRuntime } from '../../lib/local/LocalRuntime.ts';

const state = mkdtempSync(join(tmpdir(), 'longshore-flow-port-'));
let rt: LocalRuntime;
let stopServer: () => Promise<void>;
let info: FlowInfo;

beforeAll(async () => {
  rt = await LocalRuntime.start({
    mode: 'flow',
    stateDir: state,
    persistent: false,
    pace: { startMs: 20, stepMs: 40 },
  });
  stopServer = await serveFlow(rt);
  info = (await findFlow(state)) as FlowInfo;
});
afterAll(async () => {
  await stopServer();
  await rt.stop();
  await LocalRuntime.shutdownEngine();
});

interface Answer {
  status: number;
  body: { error?: string } & Record<string, unknown>;
}

/** A raw HTTP request to the port, with whatever headers a hostile client would send. */
const send = (opts: {
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  token?: string | null;
}): Promise<Answer> =>
  new Promise((done, fail) => {
    const token = opts.token === undefined ? info.token : opts.token;
    const req = request(
      {
        host: '127.0.0.1',
        port: info.port,
        path: opts.path ?? '/invoke',
        method: opts.method ?? 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let data = '';
        res.on('data', (c) => {
          data += String(c);
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : {} }));
      },
    );
    req.on('error', fail);
    req.end(opts.body ?? JSON.stringify({ fn: 'sweeper', event: { source: 'aws.events', detail: {} } }));
  });

describe('Local flow control port', () => {
  it('keeps its token in an owner-only state file', () => {
    // Act
    const mode = statSync(join(state, FLOW_FILE)).mode & 0o777;

    // Assess
    expect(mode).toBe(0o600);
    expect(info.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is not trusted, so not connected to, once its state file is writable by others', async () => {
    // Prepare
    const file = join(state, FLOW_FILE);

    // Act
    chmodSync(file, 0o622);
    const found = await findFlow(state);
    chmodSync(file, 0o600);

    // Assess
    expect(found).toBeUndefined();
    expect(await findFlow(state)).toMatchObject({ port: info.port });
  });

  it.each([
    ['no token', null, 401],
    ['a wrong token', 'x'.repeat(43), 401],
    ['an empty token', '', 401],
  ])('refuses a request with %s (%s)', async (_what, token, status) => {
    // Act
    const r = await send({ token });

    // Assess
    expect(r.status).toBe(status);
    expect(r.body.error).toMatch(/token/);
  });

  it('refuses a request from a browser page when it carries an Origin, even with the token', async () => {
    // Act
    const r = await send({ headers: { origin: 'https://evil.example' } });

    // Assess
    expect(r.status).toBe(403);
    expect(r.body.error).toMatch(/Origin/);
  });

  it.each([['evil.example'], ['localhost.evil.example:1234'], ['127.0.0.1']])(
    'refuses a request whose Host is %s (DNS rebinding), even with the token',
    async (host) => {
      // Act
      const r = await send({ headers: { host } });

      // Assess
      expect(r.status).toBe(403);
      expect(r.body.error).toMatch(/Host/);
    },
  );

  it('refuses a body that is not application/json', async () => {
    // Act
    const r = await send({ headers: { 'content-type': 'text/plain' } });

    // Assess
    expect(r.status).toBe(415);
    expect(r.body.error).toMatch(/application\/json/);
  });

  it('refuses a body over the size bound', async () => {
    // Act
    const r = await send({ body: JSON.stringify({ fn: 'control', event: { pad: 'x'.repeat(300 * 1024) } }) });

    // Assess
    expect(r.status).toBe(413);
  });

  it('refuses a body that is not JSON', async () => {
    // Act
    const r = await send({ body: '{"fn":' });

    // Assess
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/JSON/);
  });

  it.each([['../test/fixtures/notAFunction'], ['../../x'], ['constructor'], ['__proto__']])(
    'refuses fn %s: not in the function table, and no module is loaded',
    async (fn) => {
      // Act
      const r = await send({ body: JSON.stringify({ fn, event: {} }) });

      // Assess
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(`unknown function '${fn}'`);
      expect(r.body.error).toContain('control');
      expect((globalThis as { notAFunctionLoaded?: boolean }).notAFunctionLoaded).toBeUndefined();
    },
  );

  it('answers the CLI: the token from the state file, a control request, its run', async () => {
    // Prepare
    const b = flowBackend(info);

    // Act
    const answer = await b.control({ action: 'trigger', job: 'nightly-report', clientToken: 'port-test-1' });
    const runId = answer.ok ? answer.runId : '';
    const h = await b.waitFor(runId, 20_000);

    // Assess
    expect(answer).toMatchObject({ ok: true, created: true });
    expect(h?.run).toMatchObject({ runId, status: 'SUCCEEDED' });
  });
});
