/** Local secret values (git-ignored `local.secrets.json`), by job and variable, and by secret name. */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalSecrets {
  jobs: Record<string, Record<string, string>>;
  secrets: Record<string, string>;
}

export const LOCAL_SECRETS_FILE = 'local.secrets.json';

/** Reads local.secrets.json, creating it from the example the first time. */
export const loadLocalSecrets = (projectDir: string): { secrets: LocalSecrets; created: boolean } => {
  const file = join(projectDir, LOCAL_SECRETS_FILE);
  let created = false;
  if (!existsSync(file) && existsSync(join(projectDir, 'local.secrets.example.json'))) {
    copyFileSync(join(projectDir, 'local.secrets.example.json'), file);
    created = true;
  }
  if (!existsSync(file)) return { secrets: { jobs: {}, secrets: {} }, created };
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>;
  return { secrets: { jobs: raw.jobs ?? {}, secrets: raw.secrets ?? {} }, created };
};
