/**
 * What every command module gets (lib/cli/commands/*): the global options, an Output, the catalog,
 * a way to set the exit code, and the backend the runs live in (the running local flow, the local
 * store, or a deployed stage), opened for one command and closed after it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import rawCatalog from '../../jobs.ts';
import type { Catalog } from '../catalog/schema.ts';
import { validateCatalog } from '../catalog/validate.ts';
import type { ControlResponse } from '../contracts/control.ts';
import { isFinal } from '../domain/run.ts';
import { validateStage } from '../infra/context.ts';
import { awsBackend, type Backend, directLocalBackend, flowBackend } from './backends.ts';
import { CliError, EXIT, exitCodeFor } from './exitCodes.ts';
import { type Output, outputFor } from './Output.ts';
import { printRunHistory } from './views.ts';

export interface Globals {
  json?: boolean;
  color?: boolean;
  stage?: string;
  region?: string;
  local?: boolean;
  state: string;
  catalog?: string;
}

export interface CommandContext {
  globals: (cmd: Command) => Globals;
  out: (cmd: Command) => Output;
  loadCatalog: (file?: string) => Promise<Catalog>;
  /** Raises the exit code (the highest one set wins). */
  setExit: (code: number) => void;
  /** Whether the user gave an option of the program, or left it at its default. */
  optionSource: (name: string) => string | undefined;
}

export const commandContext = (program: Command, setExit: (code: number) => void): CommandContext => {
  const globals = (cmd: Command) => cmd.optsWithGlobals() as Globals;
  return {
    globals,
    out: (cmd) => outputFor(globals(cmd)),
    loadCatalog,
    setExit,
    optionSource: (name) => program.getOptionValueSource(name),
  };
};

export const loadCatalog = async (file?: string): Promise<Catalog> => {
  if (!file) return validateCatalog(rawCatalog);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  } catch (e) {
    throw new CliError(`Cannot load catalog ${file}: ${(e as Error).message}`, EXIT.invalid);
  }
  return validateCatalog(mod.default);
};

export const readJson = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`Cannot read ${file} as JSON: ${(e as Error).message}`, EXIT.invalid);
  }
};

const openBackend = async (g: Globals): Promise<Backend> => {
  if (g.stage && !g.local) {
    validateStage(g.stage);
    return awsBackend(g.stage, g.region ?? process.env.AWS_REGION ?? 'eu-west-1');
  }
  const { findFlow } = await import('../local/flowServer.ts');
  const flow = await findFlow(resolve(g.state));
  if (flow) return flowBackend(flow);
  return directLocalBackend(resolve(g.state), g.catalog);
};

export const withBackend = async <T>(g: Globals, fn: (b: Backend) => Promise<T>): Promise<T> => {
  const b = await openBackend(g);
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
};

/** Who asks, as the control contract takes it (at most 128 characters). */
export const requester = (): string => (process.env.USER || 'cli').slice(0, 128);

/** A control answer, or the refusal it carries as a CliError with its exit code. */
export const checkControl = (r: ControlResponse): Extract<ControlResponse, { ok: true }> => {
  if (r.ok) return r;
  throw new CliError(r.error.message, exitCodeFor(r.error.code));
};

/** The folder the local store's task logs are in, when the backend is local. */
export const localLogsDir = (b: Backend, g: Globals): string | undefined =>
  b.local ? resolve(g.state, 'logs') : undefined;

/**
 * With --wait, or always on the local store without a running flow (the run runs in this process):
 * waits for the run to end, shows it, and answers the exit code (6 when it did not succeed).
 */
export const waitForRun = async (
  b: Backend,
  out: Output,
  runId: string,
  wait: boolean,
  g: Globals,
): Promise<number> => {
  if (!wait && !(b.local && b.label.startsWith('local ('))) return EXIT.ok;
  if (!out.json) out.line(out.c.dim(b.local ? 'Running it locally...' : 'Waiting for the run to finish...'));
  const h = await b.waitFor(runId, b.local ? 120_000 : 6 * 3600_000);
  if (!h) throw new CliError(`Run ${runId} disappeared`, EXIT.notFound);
  const { activeCatalog } = await import('../catalog/active.ts');
  printRunHistory(out, activeCatalog(), h, localLogsDir(b, g));
  return isFinal(h.run.status) && h.run.status !== 'SUCCEEDED' ? EXIT.runFailed : EXIT.ok;
};
