/**
 * EventBridge pattern syntax and matching (lib/domain/eventPattern.ts), as the EventBridge user
 * guide states them; the matcher is also checked against the tests' own oracle
 * (test/helpers/eventPattern.ts) on the operators both know.
 */
import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_CHARS, matchesEventPattern, patternProblems } from '../../../../lib/domain/eventPattern.ts';
import { matchesPattern as oracle } from '../../../helpers/eventPattern.ts';

const order = {
  id: 'e-1',
  source: 'acme.shop',
  'detail-type': 'Order Placed',
  detail: {
    orderId: 'o-42',
    channel: 'web',
    total: 42.5,
    tags: ['gift', 'express'],
    file: 'exports/2026/orders.CSV',
    client: { ip: '10.0.3.7', ip6: '2001:db8::1' },
    coupon: null,
  },
};

describe('Function: patternProblems', () => {
  it('accepts every documented operator', () => {
    // Prepare
    const pattern = {
      source: ['acme.shop', { prefix: 'acme.' }, { prefix: { 'equals-ignore-case': 'ACME' } }],
      'detail-type': [{ suffix: 'Placed' }, { suffix: { 'equals-ignore-case': 'PLACED' } }],
      detail: {
        channel: [{ 'anything-but': ['test', 'staging'] }, { 'anything-but': { prefix: 'int-' } }],
        total: [{ numeric: ['>', 0, '<=', 1000] }, { numeric: ['=', 5e9] }],
        coupon: [null, { exists: false }],
        file: [{ wildcard: 'exports/*/orders.\\*' }, { 'equals-ignore-case': 'x' }],
        client: { ip: [{ cidr: '10.0.0.0/16' }, { cidr: '2001:db8::/32' }] },
        tags: [{ 'anything-but': { wildcard: ['*test*'] } }, { 'anything-but': { 'equals-ignore-case': 'X' } }],
      },
      $or: [{ account: ['111122223333'] }, { region: ['eu-west-1'] }],
    };

    // Act
    const problems = patternProblems(pattern);

    // Assess
    expect(problems).toEqual([]);
  });

  it.each([
    [
      'a leaf that is not a list',
      { source: 'acme.shop' },
      'pattern.source: must be a list of values (e.g. ["acme.shop"])',
    ],
    ['an empty list', { source: [] }, 'pattern.source: is an empty list, which matches no event'],
    ['an empty pattern', {}, 'pattern: is empty; give at least one field to match'],
    [
      'an unknown operator',
      { source: [{ contains: 'x' }] },
      'pattern.source[0]: "contains" is not an EventBridge operator',
    ],
    ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }, 'has exactly one key, not 2'],
    [
      'a numeric bound that is text',
      { detail: { n: [{ numeric: ['>', '5'] }] } },
      'pattern.detail.n[0]: "5" after > is not a number',
    ],
    ['an inverted range', { n: [{ numeric: ['>', 10, '<', 5] }] }, 'the lower bound 10 is not below the upper bound 5'],
    [
      'an upper bound first',
      { n: [{ numeric: ['<', 10, '>', 5] }] },
      'a range is a lower bound (> or >=) then an upper bound',
    ],
    ['a number out of range', { n: [{ numeric: ['>', 6e9] }] }, '6000000000 is outside -5.0e9..5.0e9'],
    ['an unknown comparison', { n: [{ numeric: ['!=', 1] }] }, '"!=" is not <, <=, =, > or >='],
    ['exists that is not boolean', { n: [{ exists: 'yes' }] }, 'exists must be true or false'],
    ['a bad CIDR', { ip: [{ cidr: '10.0.0.300/8' }] }, 'cidr must be an IPv4 or IPv6 block'],
    ['a CIDR prefix too long', { ip: [{ cidr: '10.0.0.0/33' }] }, 'cidr must be an IPv4 or IPv6 block'],
    ['two stars in a row', { f: [{ wildcard: 'a**b' }] }, 'has two * in a row'],
    ['a backslash escaping nothing', { f: [{ wildcard: 'a\\b' }] }, 'a backslash must escape * or \\'],
    ['anything-but with mixed types', { f: [{ 'anything-but': ['a', 1] }] }, 'must list only strings or only numbers'],
    [
      'anything-but numeric',
      { f: [{ 'anything-but': { numeric: ['>', 1] } }] },
      '"numeric" is not allowed inside anything-but',
    ],
    ['$or with one branch', { $or: [{ a: ['x'] }] }, 'pattern.$or: must be a list of at least two patterns'],
    ['a nested list', { f: [['x']] }, 'pattern.f[0]: must be a value or an operator object, not a list'],
    ['prefix of a number', { f: [{ prefix: 1 }] }, 'prefix must be a string or { "equals-ignore-case": string }'],
  ])('refuses %s, naming the path', (_name, pattern, expected) => {
    // Act
    const problems = patternProblems(pattern);

    // Assess
    expect(problems.join('\n')).toContain(expected);
  });

  it('refuses a pattern over the default size quota', () => {
    // Act
    const problems = patternProblems({ source: Array.from({ length: 300 }, (_, i) => `source-${i}`) });

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^pattern: is \\d+ characters; EventBridge takes at most ${MAX_PATTERN_CHARS}`)),
    ]);
  });
});

describe('Function: matchesEventPattern', () => {
  it.each([
    ['exact values', { source: ['acme.shop'] }, true],
    ['exact value of another event', { source: ['other'] }, false],
    ['prefix', { source: [{ prefix: 'acme.' }] }, true],
    ['prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'ACME.' } }] }, true],
    ['suffix', { detail: { file: [{ suffix: '.CSV' }] } }, true],
    ['suffix ignoring case', { detail: { file: [{ suffix: { 'equals-ignore-case': '.csv' } }] } }, true],
    ['equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'order placed' }] }, true],
    ['anything-but a value', { detail: { channel: [{ 'anything-but': 'test' }] } }, true],
    ['anything-but the value', { detail: { channel: [{ 'anything-but': ['web'] }] } }, false],
    ['anything-but a prefix', { detail: { channel: [{ 'anything-but': { prefix: 'w' } }] } }, false],
    ['anything-but on a missing field', { detail: { nope: [{ 'anything-but': 'x' }] } }, false],
    ['a numeric range', { detail: { total: [{ numeric: ['>', 0, '<=', 42.5] }] } }, true],
    ['a numeric range it is above', { detail: { total: [{ numeric: ['<', 10] }] } }, false],
    ['numeric on text', { detail: { channel: [{ numeric: ['>', 0] }] } }, false],
    ['exists true', { detail: { orderId: [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { refund: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { orderId: [{ exists: false }] } }, false],
    ['null', { detail: { coupon: [null] } }, true],
    ['a wildcard', { detail: { file: [{ wildcard: 'exports/*/orders.CSV' }] } }, true],
    ['a wildcard that does not fit', { detail: { file: [{ wildcard: 'imports/*' }] } }, false],
    ['an IPv4 CIDR', { detail: { client: { ip: [{ cidr: '10.0.0.0/16' }] } } }, true],
    ['an IPv4 CIDR it is outside', { detail: { client: { ip: [{ cidr: '10.1.0.0/16' }] } } }, false],
    ['an IPv6 CIDR', { detail: { client: { ip6: [{ cidr: '2001:db8::/32' }] } } }, true],
    ['any element of a list', { detail: { tags: ['express'] } }, true],
    ['$or, one branch matching', { $or: [{ source: ['x'] }, { detail: { channel: ['web'] } }] }, true],
    ['$or, no branch matching', { $or: [{ source: ['x'] }, { detail: { channel: ['app'] } }] }, false],
    ['fields together (all must match)', { source: ['acme.shop'], detail: { channel: ['app'] } }, false],
  ])('%s', (_name, pattern, expected) => {
    // Act
    const matched = matchesEventPattern(pattern, order);

    // Assess
    expect(patternProblems(pattern)).toEqual([]);
    expect(matched).toBe(expected);
  });

  it("agrees with the tests' own matcher on the operators both know", () => {
    // Prepare
    const patterns = [
      { source: ['acme.shop'] },
      { source: [{ prefix: 'acme' }], detail: { channel: [{ 'anything-but': 'test' }] } },
      { detail: { total: [{ numeric: ['>=', 42.5] }], tags: ['gift'] } },
      { detail: { file: [{ wildcard: '*.CSV' }, { suffix: '.csv' }] } },
      { detail: { refund: [{ exists: false }], orderId: [{ exists: true }] } },
      { 'detail-type': [{ 'equals-ignore-case': 'ORDER PLACED' }] },
      { detail: { channel: ['app'] } },
    ];

    // Act
    const ours = patterns.map((p) => matchesEventPattern(p, order));
    const theirs = patterns.map((p) => oracle(p as never, order as never));

    // Assess
    expect(ours).toEqual(theirs);
    expect(ours).toEqual([true, true, true, true, true, true, false]);
  });
});
