/**
 * Validates a manual trigger's overrides against its job: variable names (not reserved, not a
 * secret's name), command, and a size Fargate accepts. Returns the problems; [] when valid.
 */

import type { Job } from '../catalog/schema.ts';
import { RESERVED_ENV } from '../catalog/validate.ts';
import { isValidFargateSize, validMemoriesFor } from './fargateSizes.ts';
import type { RunOverrides } from './run.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const overrideProblems = (job: Job, overrides: RunOverrides): string[] => {
  const problems: string[] = [];
  const secretNames = new Set([job.container, ...job.sidecars].flatMap((c) => Object.keys(c.secrets)));
  for (const name of Object.keys(overrides.environment ?? {})) {
    if (!ENV_NAME.test(name)) problems.push(`environment.${name}: not a valid variable name`);
    else if (RESERVED_ENV.test(name))
      problems.push(`environment.${name}: reserved (longshore sets LONGSHORE_*, S3_*, SCHEDULED_TIME, AWS_*)`);
    else if (secretNames.has(name))
      problems.push(`environment.${name}: is a secret of job '${job.name}'; secrets come only from their reference`);
  }
  if (overrides.cpu !== undefined || overrides.memory !== undefined) {
    const cpu = overrides.cpu ?? job.size.cpu;
    const memory = overrides.memory ?? job.size.memory;
    if (job.capacity.type !== 'ec2' && !isValidFargateSize({ cpu, memory })) {
      const allowed = validMemoriesFor(cpu);
      problems.push(
        allowed.length > 0
          ? `memory ${memory} is not valid with cpu ${cpu}; use ${allowed.join(', ')}`
          : `cpu ${cpu} is not a Fargate cpu; use 256, 512, 1024, 2048, 4096, 8192 or 16384`,
      );
    }
  }
  return problems;
};
