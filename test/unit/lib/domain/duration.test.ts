import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../../lib/domain/duration.ts';

describe('Function: parseDuration', () => {
  it.each([
    ['90s', 90],
    ['45m', 2700],
    ['2h', 7200],
    ['1h30m', 5400],
    ['7d', 604800],
    ['1d2h3m4s', 93784],
  ])('reads %s as %i seconds', (text, seconds) => {
    // Act & Assess
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '2 hours', '1.5h', 'h', '30m1h'])('rejects %j', (text) => {
    // Act & Assess
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('Function: formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [5400, '1h30m'],
    [93784, '1d2h3m4s'],
  ])('writes %i seconds as %s', (seconds, text) => {
    // Act & Assess
    expect(formatDuration(seconds)).toBe(text);
  });
});
