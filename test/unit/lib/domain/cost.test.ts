/** The cost estimate: Fargate list prices, the one-minute minimum, Spot, storage; nothing for a task that never started. */
import { describe, expect, it } from 'vitest';
import {
  attemptCostOf,
  billedSeconds,
  costBasis,
  estimateCost,
  FARGATE_PRICES,
  formatCost,
  priceRegionOf,
  regionOfArn,
} from '../../../../lib/domain/cost.ts';

const base = { cpu: 1024, memory: 2048, architecture: 'X86_64' as const, capacity: 'FARGATE', started: true };
const perHour = FARGATE_PRICES.X86_64.vcpuHour + 2 * FARGATE_PRICES.X86_64.gbHour;

describe('Function: estimateCost', () => {
  it('prices a task that ran an hour at the list price of its vCPU and memory', () => {
    // Act & Assess
    expect(estimateCost({ ...base, seconds: 3600 })).toBeCloseTo(perHour, 10);
  });

  it('charges a task that started the one-minute minimum', () => {
    // Act & Assess
    expect(estimateCost({ ...base, seconds: 5 })).toBeCloseTo(perHour / 60, 10);
  });

  it('refuses to charge the one-minute minimum to a task that never started', () => {
    // Act & Assess
    expect(estimateCost({ ...base, seconds: 88, started: false })).toBe(0);
  });

  it('discounts Spot and adds ephemeral storage above the 20 GB included', () => {
    // Act
    const spot = estimateCost({ ...base, seconds: 3600, capacity: 'FARGATE_SPOT' });
    const storage = estimateCost({ ...base, seconds: 3600, ephemeralStorageGiB: 50 });

    // Assess
    expect(spot).toBeCloseTo(perHour * (1 - FARGATE_PRICES.spotDiscount), 10);
    expect(storage).toBeCloseTo(perHour + 30 * FARGATE_PRICES.storageGbHour, 10);
  });

  it('has no estimate for EC2 capacity, priced by its instances', () => {
    // Act & Assess
    expect(estimateCost({ ...base, seconds: 3600, capacity: 'gpu-pool' })).toBeUndefined();
    expect(formatCost(undefined)).toBe('n/a (EC2)');
  });
});

describe('Function: billedSeconds', () => {
  it('counts from the image pull to the stop, rounded up to the second', () => {
    // Act & Assess
    expect(
      billedSeconds({
        pullStartedAt: '2026-11-22T09:00:00.000Z',
        startedAt: '2026-11-22T09:00:20.000Z',
        stoppedAt: '2026-11-22T09:01:30.200Z',
      }),
    ).toBe(91);
    expect(billedSeconds({ startedAt: '2026-11-22T09:00:20.000Z', stoppedAt: '2026-11-22T09:01:20.000Z' })).toBe(60);
    expect(billedSeconds({ pullStartedAt: '2026-11-22T09:00:00.000Z' })).toBeUndefined();
  });
});

describe('Function: attemptCostOf', () => {
  const times = { pullStartedAt: '2026-11-22T09:00:00.000Z', stoppedAt: '2026-11-22T10:00:00.000Z' };
  const attempt = {
    cpu: 2048,
    memory: 4096,
    capacity: 'FARGATE',
    architecture: 'ARM64' as const,
    started: true,
    times,
  };

  it('prices the billed vCPU and GB seconds at the Region of the task', () => {
    // Act
    const cost = attemptCostOf({ ...attempt, region: 'us-east-1' });

    // Assess
    expect(cost).toMatchObject({ vcpuSeconds: 7200, gbSeconds: 14400, priceRegion: 'us-east-1' });
    expect(cost?.costUsd).toBeCloseTo(2 * FARGATE_PRICES.ARM64.vcpuHour + 4 * FARGATE_PRICES.ARM64.gbHour, 10);
  });

  it("says it used the default Region's prices for a Region the table does not list", () => {
    // Act & Assess
    expect(attemptCostOf({ ...attempt, region: 'ap-south-2' })?.priceRegion).toBe('us-east-1');
    expect(priceRegionOf(undefined)).toBe('us-east-1');
  });

  it('is nothing for a task that never started, and unknown for EC2 capacity or a stop without times', () => {
    // Act & Assess
    expect(attemptCostOf({ ...attempt, started: false })).toMatchObject({ costUsd: 0, vcpuSeconds: 0 });
    expect(attemptCostOf({ ...attempt, capacity: 'gpu-pool' })).toBeUndefined();
    expect(attemptCostOf({ ...attempt, times: { pullStartedAt: times.pullStartedAt } })).toBeUndefined();
  });
});

describe('Function: regionOfArn', () => {
  it('reads the Region of an ARN, and nothing of a malformed one', () => {
    // Act & Assess
    expect(regionOfArn('arn:aws:ecs:eu-west-1:111122223333:task/c/0123')).toBe('eu-west-1');
    expect(regionOfArn('arn:aws:ecs::111122223333:task/c/0123')).toBeUndefined();
    expect(regionOfArn(undefined)).toBeUndefined();
  });
});

describe('Function: costBasis', () => {
  const cost = (priceRegion: string) => ({ priceRegion });

  it("names the prices' Region and date, and says which task Regions were priced at us-east-1's", () => {
    // Act & Assess
    expect(costBasis([{ taskArn: 'arn:aws:ecs:us-east-1:1:task/c/a', cost: cost('us-east-1') }])).toBe(
      'Fargate list prices of us-east-1 as of 2026-12-02',
    );
    expect(
      costBasis([
        { taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/a', cost: cost('us-east-1') },
        { taskArn: 'arn:aws:ecs:ap-south-1:1:task/c/b', cost: cost('us-east-1') },
        { taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/c' },
      ]),
    ).toBe(
      "Fargate list prices of us-east-1 as of 2026-12-02; eu-west-1, ap-south-1 are not in the price table and are priced at us-east-1's",
    );
  });
});
