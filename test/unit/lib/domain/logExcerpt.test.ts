/** The log excerpt of an alert and `runs show`: 20 lines, each at most 1 KB, 8 KB in all. */
import { describe, expect, it } from 'vitest';
import { EXCERPT_BYTES, EXCERPT_LINE_BYTES, logExcerpt } from '../../../../lib/domain/logExcerpt.ts';

const size = (s: string) => new TextEncoder().encode(s).length;

describe('Function: logExcerpt', () => {
  it('keeps the last 20 lines', () => {
    // Act
    const out = logExcerpt(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`));

    // Assess
    expect(out).toHaveLength(20);
    expect([out[0], out.at(-1)]).toEqual(['line 31', 'line 50']);
  });

  it('cuts a line over 1 KB on a character boundary, saying how much was cut', () => {
    // Act
    const [line] = logExcerpt(['é'.repeat(3000)]);

    // Assess
    expect(size(line as string)).toBeLessThanOrEqual(EXCERPT_LINE_BYTES);
    expect(line).toMatch(/^é+ \.\.\. \[cut: \d+ more bytes\]$/);
  });

  it('drops the oldest lines until the whole fits 8 KB', () => {
    // Act
    const out = logExcerpt(Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(2000, 'x')));

    // Assess
    expect(out.reduce((n, l) => n + size(l) + 1, 0)).toBeLessThanOrEqual(EXCERPT_BYTES);
    expect(out.at(-1)?.startsWith('19')).toBe(true);
    expect(out.length).toBeGreaterThan(5);
  });
});
