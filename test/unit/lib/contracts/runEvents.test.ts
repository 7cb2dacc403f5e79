/** A finished run's event at the edge: what `explain` and onRunFinished take of it. */
import { describe, expect, it } from 'vitest';
import { parseFinishedRunEvent } from '../../../../lib/contracts/runEvents.ts';
import { loadEvent } from '../../../helpers/events.ts';

describe('Function: parseFinishedRunEvent', () => {
  it("keeps a run's result as the JSON text a downstream task gets, and leaves it out when there is none", () => {
    // Prepare
    const event = loadEvent<{ detail: Record<string, unknown> }>('run-succeeded');
    const without = structuredClone(event);
    delete without.detail.result;

    // Act & Assess
    expect(parseFinishedRunEvent(event).result).toBe('{"rows":1200,"table":"raw.2026-11-21.csv"}');
    expect(parseFinishedRunEvent(without)).not.toHaveProperty('result');
  });
});
