/** What every page of the console is made with: the backend, the catalog, the clock, and the request. */
import type { Catalog } from '../../catalog/schema.ts';
import type { Attempt, Run } from '../../domain/run.ts';
import type { Backend } from '../backends.ts';
import type { CursorCodec } from './cursor.ts';
import type { Session } from './guard.ts';

export interface ConsoleContext {
  backend: Backend;
  catalog: Catalog;
  /** The stage the backend is (`dev` locally): the policy simulator and log links need it. */
  stage: string;
  now: () => Date;
  /** The project's sample events (events/), offered by the Explain page; none when absent. */
  eventsDir?: string;
  /** The local task logs folder, when the backend is local. */
  localLogsDir?: string;
  /** Who asks, as control requests record it. */
  requester: string;
  cursors: CursorCodec;
  /**
   * An attempt's last log lines, when its record or the backend has them (issue 13 records them;
   * until then none): the Run page shows them only when there are some.
   */
  logExcerpt?: (run: Run, attempt: Attempt) => readonly string[] | undefined;
}

export interface PageRequest {
  url: URL;
  session: Session;
}
