import { describe, expect, it } from 'vitest';
import { parseControlRequest } from '../../../../lib/contracts/control.ts';
import { loadEvent } from '../../../helpers/events.ts';

describe('Function: parseControlRequest', () => {
  it.each(['control-trigger', 'control-retry', 'control-cancel'])('accepts the %s sample', (name) => {
    // Act & Assess
    expect(parseControlRequest(loadEvent(name)).action).toBe(name.replace('control-', ''));
  });

  it.each([
    [{ action: 'launch', job: 'x' }, 'action: must be "trigger", "retry", "cancel", "backfill", "pause" or "resume"'],
    [{ action: 'trigger' }, 'job: is required (string)'],
    [{ action: 'trigger', job: 'x', clientToken: 'has space' }, 'clientToken: 1-64 letters, digits'],
    [{ action: 'trigger', job: 'x', overrides: { env: {} } }, "overrides: unknown field 'env'"],
    [{ action: 'trigger', job: 'x', overrides: { command: [] } }, 'overrides.command: Too small'],
    [{ action: 'cancel' }, 'runId: is required (string)'],
    [
      { action: 'backfill', job: 'x', from: 'yesterday', to: '2026-11-22T00:00:00Z' },
      'from: must be an ISO 8601 time with a zone',
    ],
    [{ action: 'backfill', job: 'x', from: '2026-11-21T00:00:00Z' }, 'to: is required (string)'],
    [
      { action: 'backfill', job: 'x', from: '2026-11-21T00:00:00Z', to: '2026-11-22T00:00:00Z', dryRun: 'yes' },
      'dryRun: expected boolean',
    ],
  ])('rejects %o', (request, message) => {
    // Act & Assess
    expect(() => parseControlRequest(request)).toThrowError(message);
  });
});
