/** Every unit test runs at TEST_NOW, whatever the wall clock says (see test/helpers/clock.ts). */
import { afterEach, beforeEach, vi } from 'vitest';
import { freezeClock } from '../helpers/clock.ts';

beforeEach(() => freezeClock());
afterEach(() => {
  vi.useRealTimers();
});
