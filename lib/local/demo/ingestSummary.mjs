// The ingest-summary job, as it runs locally: runs after a csv-ingest run succeeded and writes a
// summary of the file that run loaded, from what longshore passes of the upstream run.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const {
  LONGSHORE_LOCAL_BUCKETS: buckets,
  LONGSHORE_UPSTREAM_RUN_ID: upstream,
  LONGSHORE_UPSTREAM_STATUS: status,
  LONGSHORE_UPSTREAM_S3_BUCKET: bucket,
  LONGSHORE_UPSTREAM_S3_KEY: key,
  LONGSHORE_UPSTREAM_RESULT: upstreamResult,
} = process.env;
if (!upstream || !bucket || !key) {
  console.error('ingest-summary: no upstream run or object in the environment');
  process.exit(64);
}
// The upstream's result (its last JSON log line) says how many rows it loaded; else count them here.
const rows =
  upstreamResult !== undefined
    ? JSON.parse(upstreamResult).rows
    : readFileSync(join(buckets ?? '.', bucket, key), 'utf8')
        .trim()
        .split('\n').length - 1;
const dir = join(buckets ?? '.', '..', 'summaries');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `${upstream}.txt`), `${bucket}/${key}: ${rows} rows (run ${upstream} ${status})\n`);
console.log(
  `ingest-summary: after ${upstream} ${status}: s3://${bucket}/${key} had ${rows} rows${upstreamResult !== undefined ? ' (from its result)' : ''}`,
);
