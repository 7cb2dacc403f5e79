// The csv-ingest job, as it runs locally: validates the partner CSV, counts its rows and writes a
// load summary to the local "warehouse" folder. Exit 65 (as the job's policy expects) on a bad file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const {
  LONGSHORE_LOCAL_BUCKETS: buckets,
  S3_BUCKET: bucket,
  S3_KEY: key,
  WAREHOUSE_SCHEMA: schema = 'raw',
} = process.env;
if (!buckets || !bucket || !key) {
  console.error('csv-ingest: S3_BUCKET and S3_KEY are required');
  process.exit(64);
}
const lines = readFileSync(join(buckets, bucket, key), 'utf8')
  .split(/\r?\n/)
  .filter(Boolean);
console.log(`csv-ingest: reading s3://${bucket}/${key}: ${lines.length} lines`);
const header = (lines[0] ?? '').split(',');
console.log(`csv-ingest: header ${header.join(',')}`);
if (!header.includes('id')) {
  console.error(`csv-ingest: ${key} has no 'id' column (header: ${header.join(',')})`);
  process.exit(65);
}
console.log(
  `csv-ingest: warehouse credentials ${process.env.WAREHOUSE_PASSWORD ? 'present' : 'MISSING'} (value never printed)`,
);
const target = join(buckets, '..', 'warehouse', schema, `${basename(key)}.json`);
mkdirSync(join(target, '..'), { recursive: true });
writeFileSync(
  target,
  JSON.stringify(
    { source: `s3://${bucket}/${key}`, rows: lines.length - 1, columns: header, run: process.env.LONGSHORE_RUN_ID },
    null,
    2,
  ),
);
console.log(`csv-ingest: loaded ${lines.length - 1} rows from ${key} into ${schema}`);
// The run's result (the job declares result: { lastLogLine: true }): the last line, one JSON object.
console.log(JSON.stringify({ rows: lines.length - 1, columns: header.length, table: `${schema}.${basename(key)}` }));
