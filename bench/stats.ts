/** Small statistics helpers for the benchmarks. */

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
};

export const median = (values: number[]) => percentile(values, 50);

export const mean = (values: number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;

export const round = (v: number, digits = 2) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

export interface Distribution {
  n: number;
  mean: number;
  p50: number;
  p99: number;
}

export const distribution = (values: number[], digits = 3): Distribution => ({
  n: values.length,
  mean: round(mean(values), digits),
  p50: round(percentile(values, 50), digits),
  p99: round(percentile(values, 99), digits),
});
