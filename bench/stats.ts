/** Small statistics helpers for benchmarks: percentiles and a ratio table against a baseline. */

export const percentile = (sorted: number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
};

export interface Sample {
  name: string;
  p50: number;
  p99: number;
  n: number;
}

/** Times `fn` n times after a warm-up; returns p50/p99 in milliseconds. */
export const measure = async (
  name: string,
  fn: () => Promise<unknown>,
  n: number,
  warmup = Math.ceil(n / 10),
): Promise<Sample> => {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { name, p50: percentile(times, 50), p99: percentile(times, 99), n };
};

export const table = (samples: Sample[], baseline: Sample): string => {
  const rows = samples.map((s) => [
    s.name,
    s.p50.toFixed(3),
    s.p99.toFixed(3),
    (s.p50 / baseline.p50).toFixed(1),
    String(s.n),
  ]);
  const head = ['case', 'p50 ms', 'p99 ms', 'p50 / baseline', 'n'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
};
