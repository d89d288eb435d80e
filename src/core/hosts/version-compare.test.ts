import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, isOlderVersion } from './version-compare.ts';

test('compareVersions orders versions numerically, prereleases before releases', () => {
  const table: [string, string, -1 | 0 | 1 | undefined][] = [
    ['0.0.1', '0.1.0', -1],
    ['0.1.0', '0.1.0', 0],
    ['0.10.0', '0.9.9', 1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0-rc.2', '1.0.0-rc.10', -1],
    ['1.0.0-alpha', '1.0.0-1', 1],
    ['v2.0.0', '2.0.0', 0],
    ['1.2.3+build.5', '1.2.3', 0],
    ['garbage', '1.0.0', undefined],
  ];
  for (const [a, b, want] of table) assert.equal(compareVersions(a, b), want, `${a} vs ${b}`);
});

test('isOlderVersion: only strictly older, parseable versions ask for an update', () => {
  assert.equal(isOlderVersion('0.0.1', '0.1.0'), true);
  assert.equal(isOlderVersion('0.1.0', '0.1.0'), false);
  assert.equal(isOlderVersion('0.2.0', '0.1.0'), false);
  assert.equal(isOlderVersion('dev', '0.1.0'), false);
});
