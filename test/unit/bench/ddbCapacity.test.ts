import { describe, expect, it } from 'vitest';
import { type IndexDef, type Item, itemSize, readUnits, writeUnits } from '../../../bench/aws/ddbCapacity.ts';

const S = (n: number) => ({ S: 'x'.repeat(n) });
const GSI: IndexDef = { name: 'byJob', keys: ['gsi1pk', 'gsi1sk'], projection: 'ALL', tableKeys: ['pk', 'sk'] };
const ACTIVE: IndexDef = { name: 'active', keys: ['gsi2pk', 'gsi2sk'], projection: 'ALL', tableKeys: ['pk', 'sk'] };
const KEYS_ONLY: IndexDef = { ...ACTIVE, projection: 'KEYS_ONLY' };

describe('Function: itemSize', () => {
  it.each([
    ['a string, by its UTF-8 bytes', { ab: { S: 'héllo' } }, 2 + 6],
    ['a number, 1 byte per 2 significant digits plus 1', { n: { N: '12345' } }, 1 + 4],
    ['a number without its leading and trailing zeros', { n: { N: '0.00120' } }, 1 + 2],
    ['a boolean and a null, 1 byte each', { b: { BOOL: true }, z: { NULL: true } }, 2 + 2],
    ['a string set, the sum of its members', { ss: { SS: ['ab', 'cde'] } }, 2 + 5],
    ['a list, 3 bytes plus 1 per element', { l: { L: [{ S: 'ab' }, { N: '1' }] } }, 1 + 3 + (1 + 2) + (1 + 2)],
    ['a map, 3 bytes plus each name and 1 per element', { m: { M: { k: { S: 'v' } } } }, 1 + 3 + (1 + 1 + 1)],
  ])('counts %s', (_what, item, bytes) => {
    // Act & Assess
    expect(itemSize(item as Item)).toBe(bytes);
  });
});

describe('Function: writeUnits', () => {
  it('charges 1 WRU per started KB of the larger of the item before and after', () => {
    // Prepare
    const before = { pk: { S: 'R' }, sk: { S: 'RUN' }, a: S(1500) };
    const after = { pk: { S: 'R' }, sk: { S: 'RUN' }, a: S(500) };

    // Act
    const units = writeUnits('UpdateItem', before, after, []);

    // Assess
    expect(units.table).toBe(2);
  });

  it('charges the deleted item for a DeleteItem', () => {
    // Act
    const units = writeUnits('DeleteItem', { pk: { S: 'R' }, sk: { S: 'S' }, a: S(2100) }, undefined, []);

    // Assess
    expect(units.table).toBe(3);
  });

  it('charges one index write when an item enters an index, none for an index it is in neither before nor after', () => {
    // Prepare
    const item = { pk: { S: 'R' }, sk: { S: 'RUN' }, gsi1pk: { S: 'JOB#j' }, gsi1sk: { S: 't#r' }, a: S(100) };

    // Act
    const units = writeUnits('PutItem', undefined, item, [GSI, ACTIVE]);

    // Assess
    expect(units).toEqual({ table: 1, indexes: { byJob: 1 } });
  });

  it('charges two index writes (delete and put) when an index key changes', () => {
    // Prepare
    const before = { pk: { S: 'R' }, sk: { S: 'RUN' }, gsi2pk: { S: 'ACTIVE#j' }, gsi2sk: { S: 'QUEUED#t#r' } };
    const after = { ...before, gsi2sk: { S: 'STARTING#t#r' } };

    // Act
    const units = writeUnits('UpdateItem', before, after, [ACTIVE]);

    // Assess
    expect(units.indexes).toEqual({ active: 2 });
  });

  it('charges one index write when only projected attributes change, none when a keys-only index sees no change', () => {
    // Prepare
    const before = { pk: { S: 'R' }, sk: { S: 'RUN' }, gsi2pk: { S: 'A' }, gsi2sk: { S: 'B' }, note: { S: 'x' } };
    const after = { ...before, note: { S: 'y' } };

    // Act
    const all = writeUnits('UpdateItem', before, after, [ACTIVE]);
    const keysOnly = writeUnits('UpdateItem', before, after, [KEYS_ONLY]);

    // Assess
    expect(all.indexes).toEqual({ active: 1 });
    expect(keysOnly.indexes).toEqual({});
  });

  it('charges one index write when an item leaves a sparse index', () => {
    // Prepare
    const before = { pk: { S: 'R' }, sk: { S: 'RUN' }, gsi2pk: { S: 'A' }, gsi2sk: { S: 'B' } };
    const after = { pk: { S: 'R' }, sk: { S: 'RUN' } };

    // Act & Assess
    expect(writeUnits('UpdateItem', before, after, [ACTIVE]).indexes).toEqual({ active: 1 });
  });
});

describe('Function: readUnits', () => {
  it.each([
    [0, true, 1],
    [3500, true, 1],
    [4097, true, 2],
    [0, false, 0.5],
    [8192, false, 1],
  ])('charges %i bytes read (strongly consistent: %s) %d RRU', (bytes, consistent, units) => {
    // Act & Assess
    expect(readUnits(bytes, consistent)).toBe(units);
  });
});
