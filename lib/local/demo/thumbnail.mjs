// The thumbnails job, as it runs locally: reads the uploaded image from the local bucket folder and
// writes one "thumbnail" per size (a descriptor file: no image library is needed for the demo).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const {
  LONGSHORE_LOCAL_BUCKETS: buckets,
  S3_BUCKET: bucket,
  S3_KEY: key,
  OUTPUT_BUCKET: out,
  SIZES: sizes = '128',
} = process.env;
if (!buckets || !bucket || !key || !out) {
  console.error('thumbnails: S3_BUCKET, S3_KEY and OUTPUT_BUCKET are required');
  process.exit(64);
}
const source = readFileSync(join(buckets, bucket, key));
const digest = createHash('sha256').update(source).digest('hex').slice(0, 12);
for (const size of sizes.split(',')) {
  const target = join(buckets, out, 'thumbs', size, `${key}.json`);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(
    target,
    JSON.stringify({ source: `s3://${bucket}/${key}`, size: Number(size), bytes: source.length, digest }, null, 2),
  );
  console.log(
    `thumbnails: wrote ${size}px for ${key} (run ${process.env.LONGSHORE_RUN_ID}, attempt ${process.env.LONGSHORE_ATTEMPT})`,
  );
}
