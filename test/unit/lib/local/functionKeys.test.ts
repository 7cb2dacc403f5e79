import { describe, expect, it } from 'vitest';
import { functions } from '../../../../functions/index.ts';
import { FUNCTION_KEYS, isFunctionKey } from '../../../../lib/local/functionKeys.ts';

describe('Function: isFunctionKey', () => {
  it('knows exactly the functions of functions/index.ts', () => {
    // Assess
    expect([...FUNCTION_KEYS].sort()).toEqual(Object.keys(functions).sort());
  });

  it.each([['../../x'], ['control/../../x'], ['constructor'], ['__proto__'], ['toString'], ['']])(
    'refuses %j when it is not a key of the table',
    (name) => {
      // Assess
      expect(isFunctionKey(name)).toBe(false);
    },
  );
});
