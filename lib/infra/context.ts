/**
 * What the service definition is built from: the validated catalog and the stage. The stage is
 * read from the command line (`--stage`/`-s`, as osls takes it) so that every derived name is a
 * concrete string that can be checked against its AWS limit before anything is deployed.
 */
import type { Catalog } from '../catalog/schema.ts';
import { MAX_STAGE_LENGTH, STAGE_PATTERN } from '../domain/names.ts';
import { ConfigError } from '../errors.ts';

export interface BuildContext {
  stage: string;
  catalog: Catalog;
  /** Stages whose table is deletion-protected and retained. */
  protectedStages: readonly string[];
}

export const PROTECTED_STAGES = ['prod', 'production'] as const;

/** Validates a stage name against the limits every derived name was proven for. */
export const validateStage = (stage: string): string => {
  if (!STAGE_PATTERN.test(stage) || stage.length > MAX_STAGE_LENGTH) {
    throw new ConfigError(
      `Stage '${stage}' is not allowed: use at most ${MAX_STAGE_LENGTH} lowercase letters, digits and -, starting with a letter (every AWS name longshore derives must fit its limit)`,
    );
  }
  return stage;
};

/** `--stage x`, `--stage=x`, `-s x`, else LONGSHORE_STAGE, else 'dev'. */
export const stageFromArgv = (argv: readonly string[], env: NodeJS.ProcessEnv): string => {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--stage' || a === '-s') return validateStage(argv[i + 1] ?? '');
    if (a.startsWith('--stage=')) return validateStage(a.slice('--stage='.length));
  }
  return validateStage(env.LONGSHORE_STAGE ?? 'dev');
};
