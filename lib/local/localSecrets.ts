/** Local secret values (git-ignored `local.secrets.json`), by job and variable, and by secret name. */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { Catalog } from '../catalog/schema.ts';
import { ConfigError } from '../errors.ts';
import { issueSentences } from '../schemaIssues.ts';

export interface LocalSecrets {
  jobs: Record<string, Record<string, string>>;
  secrets: Record<string, string>;
}

export const LOCAL_SECRETS_FILE = 'local.secrets.json';

/** The file's shape: values are strings, by job and variable, and by secret name. */
const strings = z.record(z.string(), z.string());
const fileShape = z.object({
  jobs: z.record(z.string(), strings).optional(),
  secrets: strings.optional(),
});

/** Reads local.secrets.json (no file: no values), refusing one that is not its shape, naming the field. */
export const readLocalSecrets = (projectDir: string): LocalSecrets => {
  const file = join(projectDir, LOCAL_SECRETS_FILE);
  if (!existsSync(file)) return { jobs: {}, secrets: {} };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file} is not JSON: ${(e as Error).message}`);
  }
  const parsed = fileShape.safeParse(json);
  if (!parsed.success)
    throw new ConfigError(
      `${file}: ${issueSentences(parsed.error).join('; ')} (the shape: { "jobs": { "<job>": { "<VARIABLE>": "<value>" } }, "secrets": { "<secret name>": "<value>" } })`,
    );
  return { jobs: parsed.data.jobs ?? {}, secrets: parsed.data.secrets ?? {} };
};

/** Reads local.secrets.json, creating it from the example the first time. */
export const loadLocalSecrets = (projectDir: string): { secrets: LocalSecrets; created: boolean } => {
  const file = join(projectDir, LOCAL_SECRETS_FILE);
  let created = false;
  if (!existsSync(file) && existsSync(join(projectDir, 'local.secrets.example.json'))) {
    copyFileSync(join(projectDir, 'local.secrets.example.json'), file);
    created = true;
  }
  return { secrets: readLocalSecrets(projectDir), created };
};

/**
 * The job secrets (each container's `secrets`) that have no local value: locally such a variable
 * is simply absent from the task's environment (deployed, ECS would inject it), so `up` warns.
 */
export const missingLocalSecrets = (catalog: Catalog, secrets: LocalSecrets): { job: string; variable: string }[] =>
  catalog.jobs.flatMap((job) =>
    [job.container, ...(job.sidecars ?? [])]
      .flatMap((c) => Object.keys(c.secrets ?? {}))
      .filter((variable, i, all) => all.indexOf(variable) === i)
      .filter((variable) => secrets.jobs[job.name]?.[variable] === undefined)
      .map((variable) => ({ job: job.name, variable })),
  );
