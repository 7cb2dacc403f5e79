/** What every page of the console is made with: the backend, the catalog, the clock, and the request. */
import type { Catalog } from '../../catalog/schema.ts';
import type { Backend, RunHistory } from '../backends.ts';
import type { FailureExcerpt } from '../failureExcerpt.ts';
import type { FinalRunCache } from '../runListing.ts';
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
  /** The final runs this console has read, per job: the Jobs page reads only what may have changed. */
  runCache: FinalRunCache;
  /**
   * A failed run's last log lines (lib/cli/failureExcerpt.ts: the deciding container of the last
   * attempt, as the alert quotes them), read from the backend's logs; the Run page shows them only
   * when there are some.
   */
  logExcerpt: (h: RunHistory) => Promise<FailureExcerpt | undefined>;
}

export interface PageRequest {
  url: URL;
  session: Session;
}
