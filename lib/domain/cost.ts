/**
 * A cost estimate for an attempt: Fargate list prices per vCPU-hour and GB-hour, by Region and
 * architecture, on-demand or Spot, plus ephemeral storage above the 20 GB included. An estimate
 * only: list prices change, Savings Plans and credits are not known here, and Spot prices move with
 * the market (AWS: "up to a 70% discount off the regular Fargate price"; the table uses 70%).
 *
 * Billing (aws.amazon.com/fargate/pricing): "from the time you start to download your container
 * image until the Amazon ECS Task ... terminates, rounded up to the nearest second", with a
 * one-minute minimum. So an attempt is priced from the task's `pullStartedAt` to its `stoppedAt`
 * (`billedSeconds`), and a task that never started is priced at nothing (docs/decisions.md, "Cost").
 */

/** When the prices below were read from aws.amazon.com/fargate/pricing (Linux, On-Demand). */
export const PRICES_AS_OF = '2026-12-02';

export interface RegionPrices {
  X86_64: { vcpuHour: number; gbHour: number };
  ARM64: { vcpuHour: number; gbHour: number };
  storageGbHour: number;
}

/**
 * Linux list prices by Region. Only the Regions whose figures could be checked against the pricing
 * page (and two independent sources quoting it) are listed; any other Region is priced at
 * `DEFAULT_PRICE_REGION`'s figures and the estimate says so (`priceRegion`). Add a Region here with
 * its figures from the pricing page, and move `PRICES_AS_OF`.
 */
export const FARGATE_REGION_PRICES: Readonly<Record<string, RegionPrices>> = {
  'us-east-1': {
    X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
    ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
    storageGbHour: 0.000111,
  },
};

export const DEFAULT_PRICE_REGION = 'us-east-1';

export const FARGATE_PRICES = {
  ...(FARGATE_REGION_PRICES[DEFAULT_PRICE_REGION] as RegionPrices),
  spotDiscount: 0.7,
  includedStorageGb: 20,
} as const;

/** The price table's reach, in words: "us-east-1 prices; other Regions priced at us-east-1's". */
export const PRICED_REGIONS = `${Object.keys(FARGATE_REGION_PRICES).join(', ')} prices; other Regions priced at ${DEFAULT_PRICE_REGION}'s`;

/** The Region whose prices an attempt in `region` is estimated at: its own, else the default's. */
export const priceRegionOf = (region: string | undefined): string =>
  region && FARGATE_REGION_PRICES[region] ? region : DEFAULT_PRICE_REGION;

export interface CostInput {
  cpu: number;
  memory: number;
  seconds: number;
  architecture: 'X86_64' | 'ARM64';
  capacity: string;
  ephemeralStorageGiB?: number;
  /** The task's Region (from its ARN); prices of `DEFAULT_PRICE_REGION` when absent or unlisted. */
  region?: string;
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
  const prices = FARGATE_REGION_PRICES[priceRegionOf(c.region)] as RegionPrices;
  const p = prices[c.architecture];
  const hours = Math.max(60, Math.ceil(c.seconds)) / 3600; // per second, rounded up; one-minute minimum
  const compute = hours * ((c.cpu / 1024) * p.vcpuHour + (c.memory / 1024) * p.gbHour);
  const storage =
    hours * Math.max(0, (c.ephemeralStorageGiB ?? 20) - FARGATE_PRICES.includedStorageGb) * prices.storageGbHour;
  return (c.capacity === 'FARGATE_SPOT' ? compute * (1 - FARGATE_PRICES.spotDiscount) : compute) + storage;
};

/**
 * The seconds Fargate bills a task for: from the image pull's start (else, for a record without it,
 * the task's start, else its creation) to its stop, rounded up to the second. Undefined while
 * either end is unknown.
 *
 * @example billedSeconds({ pullStartedAt: '2026-11-22T09:00:00.000Z', stoppedAt: '2026-11-22T09:01:30.200Z' }) // 91
 */
export const billedSeconds = (t: {
  pullStartedAt?: string;
  startedAt?: string;
  taskCreatedAt?: string;
  stoppedAt?: string;
}): number | undefined => {
  const from = t.pullStartedAt ?? t.startedAt ?? t.taskCreatedAt;
  if (!from || !t.stoppedAt) return undefined;
  const ms = Date.parse(t.stoppedAt) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, Math.ceil(ms / 1000)) : undefined;
};

/** The cost figures an attempt records when it stops: the estimate and what it was made of. */
export interface AttemptCost {
  costUsd: number;
  /** vCPU-seconds and GB-seconds billed (0 for a task that never started). */
  vcpuSeconds: number;
  gbSeconds: number;
  /** The Region whose list prices were used. */
  priceRegion: string;
}

/**
 * An attempt's estimate from its stopped task: nothing for a task that never started, undefined for
 * EC2 capacity or a stop without times.
 *
 * @example attemptCostOf({ cpu: 1024, memory: 2048, capacity: 'FARGATE', architecture: 'X86_64', started: true, region: 'us-east-1', times: { pullStartedAt, stoppedAt } })
 */
export const attemptCostOf = (a: {
  cpu: number;
  memory: number;
  capacity: string;
  architecture: 'X86_64' | 'ARM64';
  ephemeralStorageGiB?: number;
  region?: string;
  started: boolean;
  times: Parameters<typeof billedSeconds>[0];
}): AttemptCost | undefined => {
  const seconds = a.started ? billedSeconds(a.times) : 0;
  if (seconds === undefined) return undefined;
  const costUsd = estimateCost({
    cpu: a.cpu,
    memory: a.memory,
    seconds,
    architecture: a.architecture,
    capacity: a.capacity,
    started: a.started,
    ...(a.ephemeralStorageGiB !== undefined ? { ephemeralStorageGiB: a.ephemeralStorageGiB } : {}),
    ...(a.region ? { region: a.region } : {}),
  });
  if (costUsd === undefined) return undefined;
  const billed = a.started ? Math.max(60, seconds) : 0;
  return {
    costUsd,
    vcpuSeconds: (a.cpu / 1024) * billed,
    gbSeconds: (a.memory / 1024) * billed,
    priceRegion: priceRegionOf(a.region),
  };
};

/** The Region of an ARN (`arn:aws:ecs:eu-west-1:...`), if it has one. */
export const regionOfArn = (arn: string | undefined): string | undefined => {
  const region = arn?.split(':')[3];
  return region && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : undefined;
};

/**
 * What an estimate over these attempts was priced at, in words: the prices' Region(s) and date, and
 * which task Regions the table has no prices for (priced at `DEFAULT_PRICE_REGION`'s instead), so a
 * figure for eu-west-1 never reads as eu-west-1's price.
 *
 * @example costBasis([{ taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/a', cost }]) // "Fargate list prices of us-east-1 as of 2026-12-02; eu-west-1 is not in the price table and is priced at us-east-1's"
 */
export const costBasis = (attempts: readonly { taskArn?: string; cost?: { priceRegion: string } }[]): string => {
  const priced = attempts.filter((a) => a.cost);
  const regions = [...new Set(priced.map((a) => a.cost?.priceRegion ?? DEFAULT_PRICE_REGION))];
  const unlisted = [
    ...new Set(
      priced.flatMap((a) => {
        const r = regionOfArn(a.taskArn);
        return r && !FARGATE_REGION_PRICES[r] ? [r] : [];
      }),
    ),
  ];
  const prices = `Fargate list prices of ${regions.length > 0 ? regions.join(', ') : DEFAULT_PRICE_REGION} as of ${PRICES_AS_OF}`;
  return unlisted.length > 0
    ? `${prices}; ${unlisted.join(', ')} ${unlisted.length > 1 ? 'are' : 'is'} not in the price table and ${unlisted.length > 1 ? 'are' : 'is'} priced at ${DEFAULT_PRICE_REGION}'s`
    : prices;
};

export const formatCost = (usd: number | undefined): string =>
  usd === undefined ? 'n/a (EC2)' : usd < 0.01 ? `$${usd.toFixed(5)}` : `$${usd.toFixed(3)}`;
