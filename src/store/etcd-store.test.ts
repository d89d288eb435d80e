// The etcd adapter against a real etcd member (Debian's etcd-server), through the same contract suite
// as the SQLite store, plus what only a networked, guarded store does.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isGrappeError } from '../core/errors.ts';
import { startTestEtcd, testCa, type TestEtcd } from '../../test/support/etcd-test-cluster.ts';
import { issueCert } from '../pki/pki.ts';
import { openEtcdStore, type EtcdStore } from './etcd-store.ts';
import { put, update } from './store.ts';
import { storeContractSuite } from './store.contract-suite.ts';

let etcd: TestEtcd;
before(async () => {
  etcd = await startTestEtcd(1);
});
after(async () => {
  await etcd.stop();
});

let n = 0;
const open = (namespace = `t${process.pid}-${++n}/`): Promise<EtcdStore> => openEtcdStore({ endpoints: etcd.endpoints, namespace });

storeContractSuite('etcd', () => open());

describe('etcd store specifics', () => {
  test('two stores on one namespace (two controllers) see the same data, revisions and each other’s writes', async () => {
    const ns = `shared-${process.pid}/`;
    const a = await open(ns);
    const b = await open(ns);
    try {
      const seen: string[] = [];
      b.watch('/hosts/', (e) => seen.push(`${e.type} ${e.key} @${e.revision}`));
      const rev = await put(a, '/hosts/1', { name: 'h1' });
      assert.equal(rev, 1);
      assert.deepEqual((await b.get('/hosts/1'))?.value, { name: 'h1' });
      assert.equal(await b.revision(), 1);
      for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(seen, ['put /hosts/1 @1']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('parallel writers on two stores lose no update (compare-and-swap on revisions)', async () => {
    const ns = `counter-${process.pid}/`;
    const a = await open(ns);
    const b = await open(ns);
    try {
      const bump = (s: EtcdStore) => update<number>(s, '/counter', (v) => (v ?? 0) + 1, 200);
      await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 === 0 ? a : b)));
      assert.equal((await a.get('/counter'))?.value, 40);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a guarded store writes only while the guard key is the one it created; a follower store writes nothing', async () => {
    const store = await open();
    try {
      const leaderKey = `${store.namespace}leader-test`;
      const created = await store.client.put(leaderKey).value('c1').exec();
      const createRevision = String(created.header.revision);
      store.guardWrites({ key: leaderKey, createRevision, holder: 'controller c1' });
      await put(store, '/a', 1);
      assert.equal((await store.get('/a'))?.value, 1);
      // Another controller takes over: the key is re-created, so its create_revision changes.
      await store.client.delete().key(leaderKey).exec();
      await store.client.put(leaderKey).value('c2').exec();
      await assert.rejects(put(store, '/a', 2), (e) => isGrappeError(e) && e.code === 'notLeader' && /c1 is no longer the leader/.test(e.message));
      assert.equal((await store.get('/a'))?.value, 1, 'the deposed write did not land');
      store.guardWrites(undefined);
      await assert.rejects(put(store, '/b', 1), (e) => isGrappeError(e) && e.code === 'notLeader');
      assert.equal(await store.get('/b'), undefined);
    } finally {
      await store.close();
    }
  });

  test('an unreachable etcd is reported as storeUnavailable within the call timeout, naming the endpoint', async () => {
    const started = Date.now();
    await assert.rejects(
      openEtcdStore({ endpoints: ['http://127.0.0.1:9'], namespace: 'x/', callTimeoutMs: 500 }),
      (e) => isGrappeError(e) && e.code === 'storeUnavailable' && e.kind === 'unavailable' && /127.0.0.1:9/.test(e.message),
    );
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });
});

describe('etcd over mutual TLS', () => {
  test('a client with a certificate of the cluster CA reads and writes; one without, or with another CA’s, is refused', async () => {
    const ca = await testCa();
    const secured = await startTestEtcd(1, { tls: ca });
    try {
      const store = await openEtcdStore({
        endpoints: secured.endpoints,
        namespace: 'tls/',
        ...(secured.credentials ? { credentials: secured.credentials } : {}),
      });
      await put(store, '/a', 1);
      assert.equal((await store.get('/a'))?.value, 1);
      await store.close();

      const refused = (e: unknown): boolean => isGrappeError(e) && e.code === 'storeUnavailable';
      const base = { endpoints: secured.endpoints, namespace: 'tls/', callTimeoutMs: 1500 };
      // No client certificate (the server's CA trusted, nothing presented).
      await assert.rejects(openEtcdStore({ ...base, credentials: { rootCertificate: secured.credentials!.rootCertificate } }), refused);
      // A certificate from another CA.
      const other = await testCa();
      const stranger = await issueCert(other, { commonName: 'stranger', usage: 'client' });
      await assert.rejects(
        openEtcdStore({
          ...base,
          credentials: {
            rootCertificate: secured.credentials!.rootCertificate,
            certChain: Buffer.from(stranger.certPem),
            privateKey: Buffer.from(stranger.keyPem),
          },
        }),
        refused,
      );
      // Plain text to a TLS port.
      await assert.rejects(openEtcdStore({ ...base, endpoints: secured.endpoints.map((e) => e.replace('https:', 'http:')) }), refused);
    } finally {
      await secured.stop();
    }
  });
});
