/**
 * Folders as S3 buckets: a file written under `<state>/buckets/<bucket>/<key>` is an upload. Only
 * buckets some job has an S3 trigger for deliver events, as the stack's per-bucket rules would.
 */
import { existsSync, type FSWatcher, statSync, watch } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Catalog } from '../catalog/schema.ts';

/**
 * Calls `onFile` for each file written under `dir` once it stops changing (300 ms), with its path
 * relative to `dir` in parts; a file already in `seen` with the same size and time is skipped.
 */
export const watchFolder = (
  dir: string,
  seen: Map<string, string>,
  onFile: (parts: string[], file: string, size: number) => void,
): (() => void) => {
  const pending = new Map<string, NodeJS.Timeout>();
  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, name) => {
    if (!name) return;
    const file = join(dir, name.toString());
    clearTimeout(pending.get(file));
    // Wait for the writer to finish: the file counts once it stops changing.
    pending.set(
      file,
      setTimeout(() => {
        pending.delete(file);
        if (!existsSync(file) || !statSync(file).isFile()) return;
        const stamp = fileStamp(file);
        if (seen.get(file) === stamp) return;
        seen.set(file, stamp);
        onFile(relative(dir, file).split(sep), file, statSync(file).size);
      }, 300),
    );
  });
  return () => {
    watcher.close();
    for (const t of pending.values()) clearTimeout(t);
  };
};

export const watchBuckets = (
  bucketsDir: string,
  catalog: () => Catalog,
  onUpload: (bucket: string, key: string, size: number) => void,
  /** Files already delivered (path -> size:mtime), shared with whoever writes and sends events itself. */
  seen: Map<string, string>,
  /** A file in a bucket no job has an S3 trigger on: deployed, no rule would deliver it. */
  onUnwatched: (bucket: string, key: string) => void = () => undefined,
): (() => void) =>
  watchFolder(bucketsDir, seen, ([bucket, ...rest], _file, size) => {
    const buckets = new Set(
      catalog().jobs.flatMap((j) => j.triggers.flatMap((t) => (t.type === 's3' ? [t.bucket] : []))),
    );
    if (!bucket || rest.length === 0) return;
    if (buckets.has(bucket)) onUpload(bucket, rest.join('/'), size);
    else onUnwatched(bucket, rest.join('/'));
  });

export const fileStamp = (file: string): string => {
  const st = statSync(file);
  return `${st.size}:${st.mtimeMs}`;
};
