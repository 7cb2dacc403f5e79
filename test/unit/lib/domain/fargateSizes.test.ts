import { describe, expect, it } from 'vitest';
import {
  FARGATE_SIZES,
  formatCpu,
  formatMemory,
  isValidFargateSize,
  smallestSizeWith,
  validMemoriesFor,
} from '../../../../lib/domain/fargateSizes.ts';

describe('Function: validMemoriesFor', () => {
  it.each([
    [256, [512, 1024, 2048]],
    [512, [1024, 2048, 3072, 4096]],
    [1024, [2048, 3072, 4096, 5120, 6144, 7168, 8192]],
  ])('lists the memories Fargate accepts with cpu %i', (cpu, memories) => {
    // Act & Assess
    expect(validMemoriesFor(cpu)).toEqual(memories);
  });

  it.each([
    [2048, 4096, 16384, 13],
    [4096, 8192, 30720, 23],
    [8192, 16384, 61440, 12],
    [16384, 32768, 122880, 12],
  ])('spans cpu %i from %i to %i in %i steps', (cpu, min, max, count) => {
    // Act
    const memories = validMemoriesFor(cpu);

    // Assess
    expect([memories[0], memories.at(-1), memories.length]).toEqual([min, max, count]);
  });

  it('returns nothing for a cpu Fargate does not have', () => {
    // Act & Assess
    expect(validMemoriesFor(3072)).toEqual([]);
  });
});

describe('Function: isValidFargateSize', () => {
  it.each([
    [{ cpu: 256, memory: 512 }, true],
    [{ cpu: 256, memory: 1536 }, false],
    [{ cpu: 4096, memory: 30720 }, true],
    [{ cpu: 4096, memory: 31744 }, false],
    [{ cpu: 8192, memory: 20480 }, true],
    [{ cpu: 8192, memory: 17408 }, false],
    [{ cpu: 16384, memory: 40960 }, true],
    [{ cpu: 16384, memory: 36864 }, false],
  ])('says %o is %s', (size, valid) => {
    // Act & Assess
    expect(isValidFargateSize(size)).toBe(valid);
  });
});

describe('Function: smallestSizeWith', () => {
  it.each([
    [3000, 256, { cpu: 512, memory: 3072 }],
    [4096, 1024, { cpu: 1024, memory: 4096 }],
    [8193, 1024, { cpu: 2048, memory: 9216 }],
    [31000, 256, { cpu: 8192, memory: 32768 }],
    [122880, 256, { cpu: 16384, memory: 122880 }],
  ])('finds the smallest size with %i MiB and cpu >= %i', (memory, cpu, expected) => {
    // Act & Assess
    expect(smallestSizeWith(memory, cpu)).toEqual(expected);
  });

  it('returns undefined above the largest Fargate size', () => {
    // Act & Assess
    expect(smallestSizeWith(122881, 256)).toBeUndefined();
  });

  it('orders all sizes by memory then cpu', () => {
    // Assess
    const keys = FARGATE_SIZES.map((s) => s.memory * 100000 + s.cpu);
    expect([...keys].sort((a, b) => a - b)).toEqual(keys);
  });
});

describe('Function: formatMemory / formatCpu', () => {
  it.each([
    [512, '512 MiB'],
    [2048, '2 GB'],
    [1536, '1.5 GB'],
  ])('formats %i MiB as %s', (mib, text) => {
    // Act & Assess
    expect(formatMemory(mib)).toBe(text);
  });

  it('formats cpu units as vCPU', () => {
    // Act & Assess
    expect([formatCpu(256), formatCpu(4096)]).toEqual(['0.25 vCPU', '4 vCPU']);
  });
});
