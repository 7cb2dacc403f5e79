/** A run's result: the newest log line that is a JSON object or array, at most 4 KB. */
import { describe, expect, it } from 'vitest';
import { parseResult, RESULT_MAX_BYTES, resultFromLines } from '../../../../lib/domain/runResult.ts';

describe('Function: resultFromLines', () => {
  it('takes the newest JSON object, past the plain lines printed after it', () => {
    // Act
    const out = resultFromLines(['starting', '{"rows":1}', '{"rows":3,"table":"raw.x"}', 'bye', '']);

    // Assess
    expect(out).toEqual({ result: '{"rows":3,"table":"raw.x"}' });
  });

  it('takes an array, trimmed, and skips lines that only look like JSON', () => {
    // Act
    const out = resultFromLines(['  [1,2,3]  ', '{not json}', '42', 'true', '"done"']);

    // Assess
    expect(out).toEqual({ result: '[1,2,3]' });
  });

  it('accepts a result of exactly 4 KB (UTF-8 bytes), refuses the newest JSON line past it rather than an older one', () => {
    // Prepare
    const fits = `{"s":"${'a'.repeat(RESULT_MAX_BYTES - 8)}"}`;
    const over = `{"s":"${'é'.repeat(RESULT_MAX_BYTES / 2)}"}`;

    // Act
    const atLimit = resultFromLines([fits]);
    const tooBig = resultFromLines(['{"older":true}', over]);

    // Assess
    expect(new TextEncoder().encode(fits).length).toBe(RESULT_MAX_BYTES);
    expect(atLimit).toEqual({ result: fits });
    expect(tooBig).toEqual({
      resultError: `the last JSON line is ${RESULT_MAX_BYTES + 8} bytes; a result is at most 4096`,
    });
  });

  it('says why when there is none: no lines, or no JSON among them', () => {
    // Act & Assess
    expect(resultFromLines([])).toEqual({
      resultError: 'the main container logged nothing (or CloudWatch Logs did not have its lines yet)',
    });
    expect(resultFromLines(['a', 'b'])).toEqual({
      resultError: "no JSON object or array among the main container's last 2 log lines",
    });
  });
});

describe('Function: parseResult', () => {
  it('gives the value of the recorded text, and nothing for text that is not JSON', () => {
    // Act & Assess
    expect(parseResult('{"rows":3}')).toEqual({ rows: 3 });
    expect(parseResult('{oops')).toBeUndefined();
    expect(parseResult(undefined)).toBeUndefined();
  });
});
