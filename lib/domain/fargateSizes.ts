/**
 * Fargate task sizes: the only cpu/memory combinations Fargate accepts (Linux).
 * Source: the foundation issue and the ECS "Task definition parameters" page (task size table).
 */

export interface TaskSize {
  cpu: number;
  memory: number;
}

interface CpuTier {
  cpu: number;
  min: number;
  max: number;
  step: number;
}

const TIERS: readonly CpuTier[] = [
  { cpu: 256, min: 512, max: 2048, step: 512 },
  { cpu: 512, min: 1024, max: 4096, step: 1024 },
  { cpu: 1024, min: 2048, max: 8192, step: 1024 },
  { cpu: 2048, min: 4096, max: 16384, step: 1024 },
  { cpu: 4096, min: 8192, max: 30720, step: 1024 },
  { cpu: 8192, min: 16384, max: 61440, step: 4096 },
  { cpu: 16384, min: 32768, max: 122880, step: 8192 },
];

/** 256 .. 512 .. 2048 is the one irregular tier: 512, 1024, 2048 (no 1536). */
const memoriesOf = (tier: CpuTier): number[] => {
  if (tier.cpu === 256) return [512, 1024, 2048];
  const out: number[] = [];
  for (let m = tier.min; m <= tier.max; m += tier.step) out.push(m);
  return out;
};

export const FARGATE_CPUS: readonly number[] = TIERS.map((t) => t.cpu);

/** Every valid Fargate size, ordered by memory then cpu. */
export const FARGATE_SIZES: readonly TaskSize[] = TIERS.flatMap((t) =>
  memoriesOf(t).map((memory) => ({ cpu: t.cpu, memory })),
).sort((a, b) => a.memory - b.memory || a.cpu - b.cpu);

/** The memory values (MiB) Fargate accepts with this cpu, or [] if the cpu itself is not valid. */
export const validMemoriesFor = (cpu: number): number[] => {
  const tier = TIERS.find((t) => t.cpu === cpu);
  return tier ? memoriesOf(tier) : [];
};

export const isValidFargateSize = ({ cpu, memory }: TaskSize): boolean => validMemoriesFor(cpu).includes(memory);

/**
 * The smallest valid Fargate size with at least `minMemory` MiB and at least `minCpu` units,
 * preferring the lowest cpu that allows that memory. Undefined when nothing fits (above 120 GiB).
 *
 * @example smallestSizeWith(3000, 256) // { cpu: 512, memory: 3072 }
 */
export const smallestSizeWith = (minMemory: number, minCpu: number): TaskSize | undefined =>
  FARGATE_SIZES.find((s) => s.memory >= minMemory && s.cpu >= minCpu);

/** Formats MiB for people: 512 -> "512 MiB", 2048 -> "2 GB", 3072 -> "3 GB". */
export const formatMemory = (mib: number): string =>
  mib % 1024 === 0 ? `${mib / 1024} GB` : mib > 1024 ? `${(mib / 1024).toFixed(1)} GB` : `${mib} MiB`;

/** Formats cpu units for people: 256 -> "0.25 vCPU", 1024 -> "1 vCPU". */
export const formatCpu = (units: number): string => `${units / 1024} vCPU`;
