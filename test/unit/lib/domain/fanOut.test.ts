import { describe, expect, it } from 'vitest';
import {
  type ChildTally,
  childEnvironment,
  childRunId,
  chunkItems,
  jsonInJsonLength,
  MAX_CHILDREN,
  parentVerdict,
  tallyPageOf,
  toleratedFailures,
  tolerateProblem,
  unsucceededIndices,
} from '../../../../lib/domain/fanOut.ts';
import { RUN_ID_PATTERN } from '../../../../lib/domain/runId.ts';

describe('Function: childRunId', () => {
  it('is the same for the same parent and index, and different for any other', () => {
    // Act
    const ids = [
      childRunId('spread', 'spread-aaaaaaaaaaaaaaaaaaaa', 0),
      childRunId('spread', 'spread-aaaaaaaaaaaaaaaaaaaa', 0),
      childRunId('spread', 'spread-aaaaaaaaaaaaaaaaaaaa', 1),
      childRunId('spread', 'spread-bbbbbbbbbbbbbbbbbbbb', 0),
    ];

    // Assess
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(RUN_ID_PATTERN);
  });
});

describe('Function: chunkItems', () => {
  it('cuts items into chunks of itemsPerTask, the last one shorter', () => {
    // Act
    const out = chunkItems([0, 1, 2, 3, 4, 5, 6], 3, 1000);

    // Assess
    expect(out).toEqual({ ok: true, chunks: ['[0,1,2]', '[3,4,5]', '[6]'] });
  });

  it('closes a chunk early when the next item would take it past the budget, counted as it sits in the overrides', () => {
    // Prepare: each item is "a\"b" (6 characters of JSON, 10 once escaped again in the overrides).
    const items = ['a"b', 'a"b', 'a"b'];

    // Act
    const out = chunkItems(items, 10, 2 + 10 + 1 + 10);

    // Assess
    expect(out).toEqual({ ok: true, chunks: ['["a\\"b","a\\"b"]', '["a\\"b"]'] });
    if (out.ok) for (const c of out.chunks) expect(jsonInJsonLength(c)).toBeLessThanOrEqual(23);
  });

  it('fails on an item that alone is larger than the budget, naming its index', () => {
    // Act
    const out = chunkItems(['small', 'x'.repeat(100)], 1, 50);

    // Assess
    expect(out).toEqual({
      ok: false,
      reason: "item 1 is 104 characters as JSON; a child's items must fit in 48 (RunTask overrides allow 8,192 in all)",
    });
  });

  it('fails on more than 10,000 children', () => {
    // Act
    const out = chunkItems(
      Array.from({ length: MAX_CHILDREN + 1 }, (_, i) => i),
      1,
      100,
    );

    // Assess
    expect(out).toEqual({ ok: false, reason: "10001 items make more than 10000 children (AWS Batch's array limit)" });
  });

  it('makes exactly 10,000 children of 10,000 items', () => {
    // Act
    const out = chunkItems(
      Array.from({ length: MAX_CHILDREN }, (_, i) => i),
      1,
      100,
    );

    // Assess
    expect(out.ok && out.chunks.length).toBe(MAX_CHILDREN);
  });
});

describe('Function: toleratedFailures and tolerateProblem', () => {
  it('reads a count as it is and a percentage of the children rounded down', () => {
    // Assess
    expect(toleratedFailures(2, 20)).toBe(2);
    expect(toleratedFailures('10%', 20)).toBe(2);
    expect(toleratedFailures('10%', 29)).toBe(2);
    expect(toleratedFailures('100%', 7)).toBe(7);
    expect(toleratedFailures('0%', 7)).toBe(0);
    expect(toleratedFailures('33.3%', 1000)).toBe(333);
  });

  it('accepts counts and percentages from 0 to 100, and nothing else', () => {
    // Assess
    expect([0, 2, '0%', '5%', '100%', '2.5%'].map(tolerateProblem)).toEqual(Array(6).fill(undefined));
    expect([-1, 1.5, '101%', '5', 'five%', '%'].map((t) => tolerateProblem(t) !== undefined)).toEqual(
      Array(6).fill(true),
    );
  });
});

describe('Function: parentVerdict', () => {
  const tally = (counts: ChildTally['counts'], failed: number[] = []): ChildTally => {
    const counted = Object.values(counts).reduce((n, v) => n + (v ?? 0), 0);
    return { counts, counted, countedIndices: Array.from({ length: counted }, (_, i) => i), failed };
  };

  it('fails as soon as failures exceed the tolerance, before the others end', () => {
    // Act
    const verdict = parentVerdict({
      tally: tally({ FAILED: 2, TIMED_OUT: 1 }, [3, 5, 8]),
      total: 20,
      tolerated: 2,
      expanded: true,
    });

    // Assess
    expect(verdict).toEqual({
      outcome: 'fail',
      reason: '3 of 20 children failed, more than the 2 tolerated (index 3, 5, 8)',
    });
  });

  it('waits while children are still to end, within the tolerance', () => {
    // Assess
    expect(
      parentVerdict({ tally: tally({ SUCCEEDED: 17, FAILED: 2 }), total: 20, tolerated: 2, expanded: true }),
    ).toEqual({
      outcome: 'wait',
    });
  });

  it('waits for the expansion even when every child created so far is counted', () => {
    // Assess
    expect(parentVerdict({ tally: tally({ SUCCEEDED: 20 }), total: 20, tolerated: 0, expanded: false })).toEqual({
      outcome: 'wait',
    });
  });

  it('succeeds once every child is counted within the tolerance, saying how many failed', () => {
    // Assess
    expect(
      parentVerdict({ tally: tally({ SUCCEEDED: 18, CANCELLED: 2 }), total: 20, tolerated: 2, expanded: true }),
    ).toEqual({
      outcome: 'succeed',
      reason: '18 of 20 children succeeded; 2 failed, within the 2 tolerated',
    });
    expect(parentVerdict({ tally: tally({ SUCCEEDED: 3 }), total: 3, tolerated: 0, expanded: true })).toEqual({
      outcome: 'succeed',
      reason: 'all 3 children succeeded',
    });
  });
});

describe('Function: childEnvironment and tallyPageOf', () => {
  it("gives a child its index, the parent's child count, its items and its parent", () => {
    // Act
    const env = childEnvironment({
      parent: { runId: 'p-aaaaaaaaaaaaaaaaaaaa', index: 7, count: 12, items: '["a","b"]' },
    });

    // Assess
    expect(env).toEqual({
      LONGSHORE_PARENT_RUN_ID: 'p-aaaaaaaaaaaaaaaaaaaa',
      LONGSHORE_INDEX: '7',
      LONGSHORE_COUNT: '12',
      LONGSHORE_ITEMS: '["a","b"]',
    });
  });

  it('counts 100 children per tally item', () => {
    // Assess
    expect([0, 99, 100, 9999].map(tallyPageOf)).toEqual([0, 0, 1, 99]);
  });
});

describe('Function: unsucceededIndices', () => {
  const tally = (countedIndices: number[], failed: number[]): ChildTally => ({
    counts: {},
    counted: countedIndices.length,
    countedIndices,
    failed,
  });

  it('is the failed children and the ones never counted, ascending, never a child that succeeded', () => {
    // Act: 0, 1, 4 succeeded; 2 and 5 failed; 3, 6 and 7 were never counted (stopped, never created)
    const indices = unsucceededIndices(8, tally([0, 1, 2, 4, 5], [2, 5]));

    // Assess
    expect(indices).toEqual([2, 3, 5, 6, 7]);
  });

  it('is empty when every child succeeded, and every index when none was counted', () => {
    // Act
    const none = unsucceededIndices(3, tally([0, 1, 2], []));
    const all = unsucceededIndices(3, tally([], []));

    // Assess
    expect(none).toEqual([]);
    expect(all).toEqual([0, 1, 2]);
  });
});
