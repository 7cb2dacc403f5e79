/**
 * While the local flow runs, the CLI talks to it over a loopback HTTP port (the embedded store is
 * the flow's own): `<state>/flow.json` says where. Only 127.0.0.1, only while the flow runs.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { FunctionKey, LocalRuntime } from './runtime.ts';

export const FLOW_FILE = 'flow.json';

export interface FlowInfo {
  port: number;
  pid: number;
  startedAt: string;
}

const readBody = (req: import('node:http').IncomingMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      try {
        resolve(data ? JSON.parse(data) : {});
      } catch (e) {
        reject(e);
      }
    });
  });

export const serveFlow = async (rt: LocalRuntime): Promise<() => Promise<void>> => {
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === 'GET' && req.url === '/health') return send(200, { ok: true });
      const body = (await readBody(req)) as {
        fn?: FunctionKey;
        event?: unknown;
        op?: string;
        args?: unknown[];
        waitMs?: number;
      };
      if (req.method === 'POST' && req.url === '/invoke' && body.fn)
        return send(200, await rt.invoke(body.fn, body.event));
      if (req.method === 'POST' && req.url === '/idle')
        return send(200, { idle: await rt.idle(body.waitMs ?? 60_000) });
      if (req.method === 'POST' && req.url === '/store' && body.op) {
        const store = rt.store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
        const fn = store[body.op];
        if (!fn || !['runsOfJob', 'getHistory', 'getRun'].includes(body.op))
          return send(400, { error: `unknown op ${body.op}` });
        return send(200, { value: (await fn(...(body.args ?? []))) ?? null });
      }
      send(404, { error: 'not found' });
    } catch (e) {
      send(500, { error: (e as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const file = join(rt.stateDir, FLOW_FILE);
  writeFileSync(
    file,
    JSON.stringify({ port, pid: process.pid, startedAt: new Date().toISOString() } satisfies FlowInfo),
  );
  return async () => {
    rmSync(file, { force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
};

/** The running flow for a state directory, if there is one that answers. */
export const findFlow = async (stateDir: string): Promise<FlowInfo | undefined> => {
  const file = join(stateDir, FLOW_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as FlowInfo;
    process.kill(info.pid, 0);
    const res = await fetch(`http://127.0.0.1:${info.port}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok ? info : undefined;
  } catch {
    return undefined;
  }
};
