/**
 * Validates a run's overrides against its job: what the job accepts (its `overrides` policy in the
 * catalog: a command only with `command: true`, only the environment names it lists, a size only
 * with `size: true`), variable names (valid, not reserved, not a secret's name), and a size Fargate
 * accepts. Returns the problems; [] when valid. The shapes (names, control characters, lengths) are
 * checked at the edge (lib/contracts/common.ts); this adds what only the job knows. The control
 * function checks a request with it, and the launcher again before every attempt, so a catalog
 * that stops allowing an override also stops runs queued with it.
 */

import type { Job } from '../catalog/schema.ts';
import { FARGATE_CPUS, isValidFargateSize, validMemoriesFor } from './fargateSizes.ts';
import type { RunOverrides } from './run.ts';
import { envNameProblem } from './taskEnvironment.ts';

const accepted = (job: Job): string => {
  const env = job.overrides.environment;
  return env === true ? 'any variable' : env === false || env.length === 0 ? 'no variables' : env.join(', ');
};

/** What the job's overrides policy refuses in these overrides (the catalog decides who may change what). */
export const overridePolicyProblems = (job: Job, overrides: RunOverrides): string[] => {
  const problems: string[] = [];
  const policy = job.overrides;
  if (overrides.command && !policy.command)
    problems.push(
      `command: job '${job.name}' does not accept a command override (a command runs with the job's secrets and task role; the catalog allows it with overrides: { command: true })`,
    );
  for (const { name } of overrides.environment ?? []) {
    const allowed =
      policy.environment === true || (Array.isArray(policy.environment) && policy.environment.includes(name));
    if (!allowed)
      problems.push(
        `environment.${name}: job '${job.name}' does not accept it (its overrides.environment allows ${accepted(job)})`,
      );
  }
  if ((overrides.cpu !== undefined || overrides.memory !== undefined) && !policy.size)
    problems.push(`cpu/memory: job '${job.name}' does not accept a size override (overrides.size is false)`);
  if (overrides.image !== undefined && !policy.image)
    problems.push(
      `image: job '${job.name}' does not accept another image (an image runs with the job's secrets and task role; the catalog allows it with overrides: { image: true }; --image-tag changes only the tag)`,
    );
  if (overrides.image !== undefined && overrides.imageTag !== undefined)
    problems.push('image: give an image or an image tag, not both');
  return problems;
};

export const overrideProblems = (job: Job, overrides: RunOverrides): string[] => {
  const problems: string[] = overridePolicyProblems(job, overrides);
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
