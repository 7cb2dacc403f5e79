/**
 * Validates a manual trigger's overrides against its job: variable names (valid, not reserved, not
 * a secret's name), and a size Fargate accepts. Returns the problems; [] when valid. The shapes
 * (names, control characters, lengths) are checked at the edge (lib/contracts/common.ts); this
 * adds what only the job knows.
 */

import type { Job } from '../catalog/schema.ts';
import { FARGATE_CPUS, isValidFargateSize, validMemoriesFor } from './fargateSizes.ts';
import type { RunOverrides } from './run.ts';
import { envNameProblem } from './taskEnvironment.ts';

export const overrideProblems = (job: Job, overrides: RunOverrides): string[] => {
  const problems: string[] = [];
  const secretNames = new Set([job.container, ...job.sidecars].flatMap((c) => Object.keys(c.secrets)));
  for (const { name } of overrides.environment ?? []) {
    const problem = envNameProblem(name);
    if (problem) problems.push(`environment.${name}: ${problem}`);
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
          : `cpu ${cpu} is not a Fargate cpu; use ${FARGATE_CPUS.slice(0, -1).join(', ')} or ${FARGATE_CPUS.at(-1)}`,
      );
    }
  }
  return problems;
};
