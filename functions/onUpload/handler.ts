import { acceptUploads } from '../../lib/acceptUploads.ts';
import { parseUploads } from '../../lib/contracts/s3.ts';
import { createHandler } from '../../lib/handler.ts';
import type { BatchDeps } from '../../lib/ports.ts';
import { coreDeps, manifestWriter } from '../../lib/wiring.ts';

/** S3 "Object Created" (EventBridge) or a classic S3 notification -> one queued run per matching job, or a batch slot. */
export const buildHandler = (deps: BatchDeps) =>
  createHandler({ name: 'onUpload', parse: parseUploads, metrics: deps.metrics }, (uploads) =>
    acceptUploads(deps, uploads),
  );

const manifests = manifestWriter();
export const handler = buildHandler({ ...coreDeps(), ...(manifests ? { manifests } : {}) });
