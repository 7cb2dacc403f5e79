/**
 * Folders as S3 buckets: a file written under `<state>/buckets/<bucket>/<key>` is an upload. Only
 * buckets some job has an S3 trigger for deliver events, as the stack's per-bucket rules would.
 */
import { existsSync, type FSWatcher, statSync, watch } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Catalog } from '../catalog/schema.ts';

export const watchBuckets = (
  bucketsDir: string,
  catalog: () => Catalog,
  onUpload: (bucket: string, key: string, size: number) => void,
  /** Files already delivered (path -> size:mtime), shared with whoever writes and sends events itself. */
  seen: Map<string, string>,
): (() => void) => {
  const pending = new Map<string, NodeJS.Timeout>();
  const watcher: FSWatcher = watch(bucketsDir, { recursive: true }, (_event, name) => {
    if (!name) return;
    const file = join(bucketsDir, name.toString());
    clearTimeout(pending.get(file));
    // Wait for the writer to finish: the upload is the file once it stops changing.
    pending.set(
      file,
      setTimeout(() => {
        pending.delete(file);
        if (!existsSync(file) || !statSync(file).isFile()) return;
        const st = statSync(file);
        const stamp = fileStamp(file);
        if (seen.get(file) === stamp) return;
        seen.set(file, stamp);
        const [bucket, ...rest] = relative(bucketsDir, file).split(sep);
        const buckets = new Set(
          catalog().jobs.flatMap((j) => j.triggers.flatMap((t) => (t.type === 's3' ? [t.bucket] : []))),
        );
        if (bucket && rest.length > 0 && buckets.has(bucket)) onUpload(bucket, rest.join('/'), st.size);
      }, 300),
    );
  });
  return () => {
    watcher.close();
    for (const t of pending.values()) clearTimeout(t);
  };
};

export const fileStamp = (file: string): string => {
  const st = statSync(file);
  return `${st.size}:${st.mtimeMs}`;
};
