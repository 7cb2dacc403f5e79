/**
 * A cost estimate for an attempt: Fargate list prices per vCPU-hour and GB-hour, by architecture,
 * on-demand or Spot, plus ephemeral storage above the 20 GB included. An estimate only: prices vary
 * by Region and change; these are us-east-1 Linux list prices (aws.amazon.com/fargate/pricing),
 * and Spot prices move with the market (the table uses a typical 70% discount).
 */

export const FARGATE_PRICES = {
  X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
  ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
  spotDiscount: 0.7,
  storageGbHour: 0.000111,
  includedStorageGb: 20,
} as const;

export interface CostInput {
  cpu: number;
  memory: number;
  seconds: number;
  architecture: 'X86_64' | 'ARM64';
  capacity: string;
  ephemeralStorageGiB?: number;
  /**
   * ECS started the task (`summarizeAttempt(...).costApplies`). A task that never started (image
   * or secrets failure) is estimated at nothing, not at the one-minute minimum; see
   * docs/decisions.md, "What decided".
   */
  started: boolean;
}

/** US dollars, or undefined for EC2 capacity (priced by its instances, not per task). */
export const estimateCost = (c: CostInput): number | undefined => {
  if (!c.capacity.startsWith('FARGATE')) return undefined;
  if (!c.started) return 0;
  const p = FARGATE_PRICES[c.architecture];
  const hours = Math.max(60, c.seconds) / 3600; // Fargate bills a one-minute minimum
  const compute = hours * ((c.cpu / 1024) * p.vcpuHour + (c.memory / 1024) * p.gbHour);
  const storage =
    hours *
    Math.max(0, (c.ephemeralStorageGiB ?? 20) - FARGATE_PRICES.includedStorageGb) *
    FARGATE_PRICES.storageGbHour;
  return (c.capacity === 'FARGATE_SPOT' ? compute * (1 - FARGATE_PRICES.spotDiscount) : compute) + storage;
};

export const formatCost = (usd: number | undefined): string =>
  usd === undefined ? 'n/a (EC2)' : usd < 0.01 ? `$${usd.toFixed(5)}` : `$${usd.toFixed(3)}`;
