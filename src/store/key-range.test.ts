import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareKeys, prefixEnd } from './key-range.ts';

test('prefixEnd increments the last code point', () => {
  const cases: [string, string | undefined][] = [
    ['/hosts/', '/hosts0'],
    ['a', 'b'],
    ['', undefined],
    ['/\uffff', '/\u{10000}'],
    ['/😀', '/😁'],
    ['/\u{10ffff}', '0'],
    ['\u{10ffff}\u{10ffff}', undefined],
    ['/\ud7ff', '/\ue000'],
  ];
  for (const [prefix, end] of cases) assert.equal(prefixEnd(prefix), end, JSON.stringify(prefix));
});

test('every key starting with the prefix sorts inside [prefix, prefixEnd), others outside', () => {
  const keys = ['/hosts', '/hosts/', '/hosts/1', '/hosts/\uffff', '/hosts/\u{10ffff}', '/hosts0', '/hostsX', '/hosts.'];
  for (const prefix of ['/hosts/', '/hosts', '/hosts/\uffff']) {
    const end = prefixEnd(prefix);
    assert.ok(end !== undefined);
    for (const key of keys) {
      const inRange: boolean = compareKeys(key, prefix) >= 0 && compareKeys(key, end) < 0;
      assert.equal(inRange, key.startsWith(prefix), `${JSON.stringify(key)} vs prefix ${JSON.stringify(prefix)}`);
    }
  }
});

test('compareKeys orders by code point, unlike UTF-16 string comparison', () => {
  // U+FFFF < U+1F600 by code point, though its UTF-16 unit is greater than the emoji's high surrogate.
  assert.ok(compareKeys('\uffff', '😀') < 0);
  assert.ok('\uffff' > '😀');
  assert.equal(compareKeys('a', 'a'), 0);
});
