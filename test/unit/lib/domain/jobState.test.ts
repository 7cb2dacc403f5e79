import { describe, expect, it } from 'vitest';
import {
  type JobState,
  PAUSE_WINDOW_KEEP_SECONDS,
  pausedAtTime,
  rateTickReference,
  windowsAfterResume,
} from '../../../../lib/domain/jobState.ts';

const running = (pauses: JobState['pauses'] = [], resumedAt?: string): JobState => ({
  job: 'nightly',
  paused: false,
  pauses,
  ...(resumedAt ? { resumedAt } : {}),
});
const paused = (pausedAt: string): JobState => ({ job: 'nightly', paused: true, mode: 'hold', pausedAt, pauses: [] });
const window = { from: '2026-11-21T01:00:00.000Z', to: '2026-11-21T03:00:00.000Z' };

describe('Function: pausedAtTime', () => {
  it.each([
    ['a job never paused', undefined, '2026-11-21T02:00:00.000Z', false],
    ['a tick after the job was paused', paused('2026-11-21T01:00:00.000Z'), '2026-11-21T02:00:00.000Z', true],
    ['a tick before the job was paused', paused('2026-11-21T01:00:00.000Z'), '2026-11-21T00:00:00.000Z', false],
    ['a tick inside a past window', running([window]), '2026-11-21T02:00:00.000Z', true],
    ['a tick within a minute after the resume', running([window]), '2026-11-21T03:00:30.000Z', true],
    ['a tick well after the resume', running([window]), '2026-11-21T04:00:00.000Z', false],
    ['a tick before the window', running([window]), '2026-11-21T00:59:59.000Z', false],
  ])('for %s returns %s', (_what, state, tick, expected) => {
    // Act & Assess
    expect(pausedAtTime(state, tick)).toBe(expected);
  });
});

describe('Function: rateTickReference', () => {
  it.each([
    ['no state', undefined, '2026-11-21T01:00:00.000Z'],
    ['a resume before the last tick', running([], '2026-11-21T00:00:00.000Z'), '2026-11-21T01:00:00.000Z'],
    ['a resume after the last tick', running([], '2026-11-21T03:00:00.000Z'), '2026-11-21T03:00:00.000Z'],
  ])('counts from the right time with %s', (_what, state, expected) => {
    // Act & Assess
    expect(rateTickReference('2026-11-21T01:00:00.000Z', state)).toBe(expected);
  });
});

describe('Function: windowsAfterResume', () => {
  it('adds the window that ends now and drops the windows older than the keep period', () => {
    // Prepare
    const now = new Date('2026-11-22T12:00:00.000Z');
    const old = { from: '2026-11-21T00:00:00.000Z', to: '2026-11-21T01:00:00.000Z' };
    const recent = {
      from: '2026-11-22T08:00:00.000Z',
      to: new Date(now.getTime() - PAUSE_WINDOW_KEEP_SECONDS * 1000 + 1000).toISOString(),
    };
    const state: JobState = { ...paused('2026-11-22T11:00:00.000Z'), pauses: [old, recent] };

    // Act
    const windows = windowsAfterResume(state, now);

    // Assess
    expect(windows).toEqual([recent, { from: '2026-11-22T11:00:00.000Z', to: '2026-11-22T12:00:00.000Z' }]);
  });
});
