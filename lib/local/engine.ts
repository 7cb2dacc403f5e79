/**
 * One embedded engine per process: handler modules build their DynamoDB client once, at import, for
 * the endpoint of the first local runtime, so every later runtime of the process uses the same
 * engine (and so the same state directory). Kept apart so the CLI can stop it cheaply at exit.
 */
import type { LocalDynamo } from './dynamo.ts';

let engine: { key: string; dynamo: LocalDynamo } | undefined;
/** The port each store had: a restarted engine listens there again, where the clients still point. */
const ports = new Map<string, number>();

export const engineFor = async (key: string, path: string | undefined): Promise<LocalDynamo> => {
  if (engine) {
    if (engine.key !== key)
      throw new Error(`This process already runs the local store of ${engine.key}; one state directory per process`);
    return engine.dynamo;
  }
  const { startDynalite } = await import('./dynamo.ts');
  const port = ports.get(key);
  const dynamo = await startDynalite({ ...(path ? { path } : {}), ...(port ? { port } : {}) });
  ports.set(key, Number(new URL(dynamo.endpoint).port));
  engine = { key, dynamo };
  return dynamo;
};

/** Stops the engine, if this process started one. */
export const shutdownEngine = async (): Promise<void> => {
  const e = engine;
  engine = undefined;
  await e?.dynamo.stop();
};
