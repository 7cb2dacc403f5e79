/**
 * A simulated task's container, as a child process: the job's `localCommand` with the task's
 * environment, its output in the task's log file. A command that cannot start (a NUL byte in an
 * argument or the environment, no such program) is reported as such, never as a process that ran.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TaskProcessSpec {
  command: readonly string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
}

/** What the simulated ECS hears of the process. */
export interface TaskProcessHooks {
  /** The task has stopped already (stopped by someone, or ended): nothing more is reported. */
  stopped(): boolean;
  /** The process exists (Node's `spawn` event): the task is RUNNING. */
  started(): void;
  /** The process never existed; `why` names where the problem is, never a value (values may be secrets). */
  failedToStart(why: string): void;
  exited(code: number | null, signal: NodeJS.Signals | null): void;
}

/**
 * Why the process for this command cannot be started, before trying: a NUL byte cannot be in an
 * argument or an environment variable of any process (Node refuses it, and so would the container
 * runtime). The reason names where it is, never the value (environment values may be secrets).
 */
const unstartable = (command: readonly string[], env: Record<string, string>): string | undefined => {
  const arg = command.findIndex((a) => a.includes('\0'));
  if (arg >= 0) return `command element ${arg + 1} contains a NUL byte`;
  const name = Object.keys(env).find((k) => k.includes('\0') || env[k]?.includes('\0'));
  if (name !== undefined) return `environment variable ${JSON.stringify(name)} contains a NUL byte`;
  return undefined;
};

/** Starts the process; undefined when it could not be started (`failedToStart` was called). */
export const startTaskProcess = (spec: TaskProcessSpec, hooks: TaskProcessHooks): ChildProcess | undefined => {
  const [cmd, ...args] = spec.command;
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const log = createWriteStream(spec.logFile);
  let spawned = false;
  // As ECS reports a container that cannot start: STOPPED, TaskFailedToStart, never RUNNING.
  const failedToStart = (why: string) => {
    if (hooks.stopped()) return;
    log.end(`[longshore local] could not start the command: ${why}\n`);
    hooks.failedToStart(why);
  };
  const refused = unstartable(spec.command, spec.env);
  if (refused || cmd === undefined) {
    failedToStart(refused ?? 'the command is empty');
    return undefined;
  }
  let child: ChildProcess;
  try {
    child = spawn(cmd === 'node' ? process.execPath : cmd, args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    // Node's message may quote the environment (values can be secrets): its code only.
    failedToStart(`${JSON.stringify(cmd)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).name}`);
    return undefined;
  }
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once('spawn', () => {
    spawned = true;
    if (!hooks.stopped()) hooks.started();
  });
  child.on('error', (e: NodeJS.ErrnoException) => {
    // Before 'spawn': the process never existed (ENOENT, EACCES). After it: a failed kill, nothing to report.
    if (!spawned) failedToStart(`${JSON.stringify(cmd)}: ${e.code ?? e.message}`);
  });
  // 'exit' may come before the process's last output has left its pipes, and the STOPPED event then
  // before the log has it (an alert read the log without its last lines): the end is reported once
  // the pipes closed (up to a second: a background process of the task may hold them open) and the
  // log file has every line (the write stream's finish).
  child.on('exit', (code, signal) => {
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      log.end(() => {
        if (!hooks.stopped()) hooks.exited(code, signal);
      });
    };
    const timer = setTimeout(end, 1000);
    child.once('close', end);
  });
  return child;
};
