import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeIndicators, sameIndicators, sanConfigured, type IndicatorProbes } from './indicators.ts';

const allGood: IndicatorProbes = {
  purpose: 'processing',
  endpoint: '198.18.0.12:4433',
  connection: { ok: true },
  connector: { ok: true },
  sanConfigured: true,
  storage: [{ ok: true, what: 'pool iscsi-storage1: QEMU cannot open iscsi://198.18.1.11/iqn.x/1' }],
};

test('sanConfigured: an address inside the SAN subnet', () => {
  const san = { name: 'SAN', cidr: '198.18.1.0/24' };
  assert.equal(sanConfigured({ subnet: 'SAN', ip: '198.18.1.4', prefixLength: 24 }, san), true);
  assert.equal(sanConfigured({ subnet: 'SAN', ip: '198.18.9.4', prefixLength: 24 }, san), false);
  assert.equal(sanConfigured(undefined, san), false);
});

test('all checks pass: three green indicators and no reasons', () => {
  assert.deepEqual(judgeIndicators(allGood), { connection: 'green', connector: 'green', storage: 'green' });
  assert.deepEqual(judgeIndicators({ ...allGood, purpose: 'storage', storage: [] }), { connection: 'green', connector: 'green', storage: 'n/a' });
});

test("QEMU without its iSCSI driver: red storage naming the pool, the URL, QEMU's words and the fix", () => {
  const error = "Could not open 'iscsi://198.18.1.11/iqn.x/1': Unknown protocol 'iscsi'";
  const i = judgeIndicators({ ...allGood, storage: [{ ok: false, what: 'pool iscsi-storage1: QEMU cannot open iscsi://198.18.1.11/iqn.x/1', error }] });
  assert.equal(i.storage, 'red');
  assert.equal(
    i.reasons?.storage,
    `pool iscsi-storage1: QEMU cannot open iscsi://198.18.1.11/iqn.x/1: ${error} — install qemu-block-extra (QEMU's iSCSI driver)`,
  );
  assert.equal(i.reasons?.connection, undefined);
});

test('storage is green when any pool answers; every failure is listed when none does', () => {
  const bad = { ok: false as const, what: 'pool iscsi-s1: QEMU cannot open iscsi://a/b/1', error: 'no iSCSI login within 2000 ms' };
  assert.equal(judgeIndicators({ ...allGood, storage: [bad, ...allGood.storage] }).storage, 'green');
  const both = judgeIndicators({ ...allGood, storage: [bad, { ...bad, what: 'pool iscsi-s2: QEMU cannot open iscsi://c/d/1' }] });
  assert.match(both.reasons?.storage ?? '', /iscsi-s1.*; pool iscsi-s2/);
});

test('connection down: every indicator says why, the later ones "not checked"', () => {
  const i = judgeIndicators({ ...allGood, connection: { ok: false, error: 'ECONNREFUSED' }, connector: undefined, storage: [] });
  assert.deepEqual([i.connection, i.connector, i.storage], ['red', 'red', 'red']);
  assert.match(i.reasons?.connection ?? '', /^no TCP connection to 198\.18\.0\.12:4433: ECONNREFUSED — nothing listens/);
  assert.equal(i.reasons?.connector, 'not checked: no connection to the host');
  assert.equal(i.reasons?.storage, 'not checked: the agent does not answer');
});

test('the agent refuses mutual TLS; SAN not configured; nothing to reach yet', () => {
  const tls = judgeIndicators({ ...allGood, connector: { ok: false, error: 'self-signed certificate' } });
  assert.match(tls.reasons?.connector ?? '', /does not answer over mutual TLS: self-signed certificate — TLS failed/);
  assert.match(judgeIndicators({ ...allGood, sanConfigured: false }).reasons?.storage ?? '', /no NIC attached to the SAN subnet/);
  assert.match(judgeIndicators({ ...allGood, storage: [] }).reasons?.storage ?? '', /no storage host with a SAN address/);
});

test('sameIndicators compares the values and the reasons', () => {
  const a = judgeIndicators(allGood);
  assert.equal(sameIndicators(a, judgeIndicators(allGood)), true);
  assert.equal(sameIndicators(a, { ...a, connector: 'red' }), false);
  const r1 = judgeIndicators({ ...allGood, sanConfigured: false });
  const r2 = judgeIndicators({ ...allGood, storage: [] });
  assert.equal(r1.storage, r2.storage);
  assert.equal(sameIndicators(r1, r2), false);
});
