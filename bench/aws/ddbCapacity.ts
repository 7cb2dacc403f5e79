/**
 * DynamoDB request units from item sizes, as DynamoDB documents them (sources in BENCHMARKS.md):
 * - item size: attribute names plus values (strings and binaries by length in bytes, numbers about
 *   1 byte per 2 significant digits plus 1, booleans and nulls 1 byte, lists and maps 3 bytes plus
 *   1 byte per element, sets the sum of their members);
 * - writes: 1 WRU per 1 KB of the item (rounded up), the larger of its size before and after the
 *   write (PutItem, UpdateItem), the deleted item's size for DeleteItem; a write whose condition
 *   fails still costs the item's size (at least 1);
 * - each global secondary index the write touches costs its own writes, by the projected item's
 *   size: 1 to add the item, 1 to remove it, 2 when an index key changes (delete + put), 1 when only
 *   projected attributes change, nothing when the item is in the index neither before nor after;
 * - reads: 1 RRU per 4 KB, strongly consistent; half that eventually consistent (GSI queries are);
 *   GetItem on an absent item still costs the minimum; a Query sums the sizes of the items it reads
 *   and rounds the total up to 4 KB.
 */

export type AttributeValue = Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

const numberSize = (n: string): number => {
  const digits = n
    .replace(/^-/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
};

export const valueSize = (v: AttributeValue): number => {
  const [type, value] = Object.entries(v)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return utf8(String(value));
    case 'N':
      return numberSize(String(value));
    case 'B':
      return Buffer.from(String(value), 'base64').length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (value as string[]).reduce((a, s) => a + utf8(s), 0);
    case 'NS':
      return (value as string[]).reduce((a, s) => a + numberSize(s), 0);
    case 'BS':
      return (value as string[]).reduce((a, s) => a + Buffer.from(s, 'base64').length, 0);
    case 'L':
      return 3 + (value as AttributeValue[]).reduce((a, e) => a + 1 + valueSize(e), 0);
    case 'M':
      return 3 + Object.entries(value as Item).reduce((a, [k, e]) => a + 1 + utf8(k) + valueSize(e), 0);
    default:
      throw new Error(`unknown DynamoDB attribute type ${type}`);
  }
};

/** The size DynamoDB counts for an item, in bytes. */
export const itemSize = (item: Item | undefined): number =>
  item ? Object.entries(item).reduce((a, [k, v]) => a + utf8(k) + valueSize(v), 0) : 0;

export interface IndexDef {
  name: string;
  keys: string[];
  /** ALL, KEYS_ONLY or INCLUDE (with `include`). */
  projection: string;
  include?: string[];
  tableKeys: string[];
}

const inIndex = (item: Item | undefined, idx: IndexDef) => !!item && idx.keys.every((k) => item[k] !== undefined);

const projected = (item: Item, idx: IndexDef): Item => {
  if (idx.projection === 'ALL') return item;
  const keep = new Set([...idx.keys, ...idx.tableKeys, ...(idx.projection === 'INCLUDE' ? (idx.include ?? []) : [])]);
  return Object.fromEntries(Object.entries(item).filter(([k]) => keep.has(k)));
};

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
/** Attribute order is not part of an item: DynamoDB Local returns an updated item's in another order. */
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        )
      : v;
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

export interface WriteUnits {
  table: number;
  /** Index writes, by index name. */
  indexes: Record<string, number>;
}

/** Write request units of one write, from the item before and after it (undefined: absent). */
export const writeUnits = (
  op: 'PutItem' | 'UpdateItem' | 'DeleteItem',
  before: Item | undefined,
  after: Item | undefined,
  indexes: IndexDef[],
): WriteUnits => {
  const table = kb(Math.max(itemSize(before), op === 'DeleteItem' ? 0 : itemSize(after)));
  const out: Record<string, number> = {};
  for (const idx of indexes) {
    const was = inIndex(before, idx);
    const is = inIndex(after, idx);
    let units = 0;
    if (was && !is) units = kb(itemSize(projected(before as Item, idx)));
    else if (!was && is) units = kb(itemSize(projected(after as Item, idx)));
    else if (was && is) {
      const b = projected(before as Item, idx);
      const a = projected(after as Item, idx);
      const keyChanged = idx.keys.some((k) => !same(b[k], a[k]));
      if (keyChanged) units = kb(itemSize(b)) + kb(itemSize(a));
      else if (!same(b, a)) units = kb(itemSize(a));
    }
    if (units > 0) out[idx.name] = units;
  }
  return { table, indexes: out };
};

/** Read request units of a read of items totalling `bytes` (GetItem: one item; Query: the sum). */
export const readUnits = (bytes: number, consistent: boolean): number =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
