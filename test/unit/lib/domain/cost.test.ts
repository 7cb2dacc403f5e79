/** The cost estimate: Fargate list prices, the one-minute minimum, Spot, storage; nothing for a task that never started. */
import { describe, expect, it } from 'vitest';
import { estimateCost, FARGATE_PRICES, formatCost } from '../../../../lib/domain/cost.ts';

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
