import { acceptUploads } from '../../lib/acceptUploads.ts';
import { parseUploads } from '../../lib/contracts/s3.ts';
import { createHandler } from '../../lib/handler.ts';
import type { CoreDeps } from '../../lib/ports.ts';
import { coreDeps } from '../../lib/wiring.ts';

/** S3 "Object Created" (EventBridge) or a classic S3 notification -> one queued run per matching job. */
export const buildHandler = (deps: CoreDeps) =>
  createHandler({ name: 'onUpload', parse: parseUploads }, (uploads) => acceptUploads(deps, uploads));

export const handler = buildHandler(coreDeps());
