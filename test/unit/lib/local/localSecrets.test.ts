/** local.secrets.json: its shape checked at the edge, and the job secrets it has no value for. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingLocalSecrets, readLocalSecrets } from '../../../../lib/local/localSecrets.ts';
import { exampleCatalog } from '../../../helpers/catalogs.ts';

const projectWith = (content: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'longshore-secrets-'));
  writeFileSync(join(dir, 'local.secrets.json'), content);
  return dir;
};

describe('Function: missingLocalSecrets', () => {
  it('names each job secret that has no local value', () => {
    // Prepare
    const secrets = { jobs: { 'nightly-report': { DB_PASSWORD: 'x' } }, secrets: {} };

    // Act
    const missing = missingLocalSecrets(exampleCatalog(), secrets);

    // Assess
    expect(missing).toEqual([
      { job: 'nightly-report', variable: 'SMTP_TOKEN' },
      { job: 'csv-ingest', variable: 'WAREHOUSE_PASSWORD' },
    ]);
  });
});

describe('Function: readLocalSecrets', () => {
  it('refuses a file that is not JSON, naming the file', () => {
    // Prepare
    const dir = projectWith('{ "jobs": ');

    // Act / Assess
    expect(() => readLocalSecrets(dir)).toThrow(`${join(dir, 'local.secrets.json')} is not JSON`);
  });

  it('refuses a value that is not a string, naming the field', () => {
    // Prepare
    const dir = projectWith('{ "jobs": { "csv-ingest": { "WAREHOUSE_PASSWORD": 42 } } }');

    // Act / Assess
    expect(() => readLocalSecrets(dir)).toThrow(/jobs\.csv-ingest\.WAREHOUSE_PASSWORD/);
  });
});
