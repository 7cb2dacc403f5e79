/** `backfill --from/--to` at the CLI's edge: a day or an ISO 8601 time with its zone; anything else named and refused. */
import { describe, expect, it } from 'vitest';
import { parseWindowEdge } from '../../../../lib/cli/commands/backfill.ts';
import { CliError, EXIT } from '../../../../lib/cli/exitCodes.ts';

describe('Function: parseWindowEdge', () => {
  it.each([
    ['2026-11-19', '2026-11-19T00:00:00.000Z'],
    ['2026-11-19T02:00:00Z', '2026-11-19T02:00:00.000Z'],
    ['2026-11-19T02:00+01:00', '2026-11-19T01:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    // Act / Assess
    expect(parseWindowEdge('--from', text)).toBe(iso);
  });

  it.each([['yesterday'], ['1'], ['2026-11-19T02:00'], ['2026-13-45'], ['']])(
    'refuses %j, naming the option',
    (text) => {
      // Act
      const refusal = (() => {
        try {
          parseWindowEdge('--to', text);
        } catch (e) {
          return e;
        }
      })();

      // Assess
      expect(refusal).toBeInstanceOf(CliError);
      expect((refusal as CliError).exitCode).toBe(EXIT.invalid);
      expect((refusal as CliError).message).toContain(`--to '${text}' is not a time`);
    },
  );
});
