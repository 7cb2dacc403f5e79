// The nightly-report job, as it runs locally: writes the report for the scheduled day to the local
// archive folder (the EFS volume in AWS). Exit 3 (the job's "nothing to report") for a day without data.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const {
  LONGSHORE_LOCAL_BUCKETS: buckets,
  SCHEDULED_TIME: at = new Date().toISOString(),
  REPORT_FORMAT: format = 'pdf',
} = process.env;
const day = at.slice(0, 10);
if (process.env.REPORT_EMPTY_DAY === day) {
  console.log(`nightly-report: no postings for ${day}; nothing to report`);
  process.exit(3);
}
const dir = join(buckets ?? '.', '..', 'archive');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `finance-${day}.${format}.txt`), `Finance report for ${day}\n`);
console.log(
  `nightly-report: database password ${process.env.DB_PASSWORD ? 'present' : 'MISSING'}; wrote finance-${day}.${format}`,
);
