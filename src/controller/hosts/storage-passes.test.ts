import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostFixture } from '../../../test/support/ha-fixtures.ts';
import { StoragePasses } from './storage-passes.ts';

const TRUSTED_MS = 30_000;

const pass = [{ ok: true as const, what: 'pool iscsi-storage1' }];
const fail = [{ ok: false as const, what: 'pool iscsi-storage1', error: 'no answer' }];

test('a passing storage check is trusted for a while, for the same host record and probes only', () => {
  const passes = new StoragePasses();
  const host = hostFixture(1, 'h1');
  const probes = [{ hostId: 9 }];
  passes.note(host, probes, 1000, pass);
  assert.deepEqual(passes.recall(host, probes, 1000 + TRUSTED_MS - 1, TRUSTED_MS), pass);
  assert.equal(passes.recall(host, probes, 1000 + TRUSTED_MS, TRUSTED_MS), undefined, 'too old: checked again');
  assert.equal(passes.recall({ ...host }, probes, 1001, TRUSTED_MS), undefined, 'the host record changed (enabled, NIC edited): checked again');
  assert.equal(passes.recall(host, [...probes], 1001, TRUSTED_MS), undefined, 'a probe LUN came or went: checked again');
});

test('a failing check is never kept, and it drops the pass it follows', () => {
  const passes = new StoragePasses();
  const host = hostFixture(1, 'h1');
  const probes: unknown[] = [];
  passes.note(host, probes, 0, pass);
  passes.note(host, probes, 10, fail);
  assert.equal(passes.recall(host, probes, 20, TRUSTED_MS), undefined);
  passes.note(host, probes, 30, []);
  assert.equal(passes.recall(host, probes, 40, TRUSTED_MS), undefined, 'no check made (TCP fallback): nothing kept');
});
