/**
 * How a simulated task ends. A script maps a task (job, attempt, trigger data, capacity, size) to an
 * ending; without one, a task runs its job's `localCommand` as a child process, or exits 0.
 */

export type TaskEnding =
  | { kind: 'command' }
  | { kind: 'exit'; code: number; afterMs?: number; reason?: string }
  | { kind: 'oom'; afterMs?: number }
  | { kind: 'spot'; afterMs?: number }
  | { kind: 'pull-failure'; afterMs?: number }
  | { kind: 'secrets-failure'; afterMs?: number }
  | { kind: 'hang' };

export interface SimTaskFacts {
  job: string;
  runId: string;
  attempt: number;
  capacity: string;
  cpu: number;
  memory: number;
  env: Record<string, string>;
}

export type TaskScript = (task: SimTaskFacts) => TaskEnding | undefined;

export interface ScriptEntry {
  job: string;
  /** A substring of S3_KEY (uploads) to match; any run of the job when omitted. */
  key?: string;
  /** Environment values the task must have (e.g. SCHEDULED_TIME of one tick). */
  env?: Record<string, string>;
  /** Ending per attempt (1-based); attempts past the list run the job's command. */
  attempts: TaskEnding[];
}

/** A script from entries (the demo's, or a user's `--outcomes file.json`). */
export const scriptFrom =
  (entries: readonly ScriptEntry[]): TaskScript =>
  (task) => {
    const entry = entries.find(
      (e) =>
        e.job === task.job &&
        (e.key === undefined || (task.env.S3_KEY ?? '').includes(e.key)) &&
        Object.entries(e.env ?? {}).every(([k, v]) => task.env[k] === v),
    );
    return entry?.attempts[task.attempt - 1];
  };
