import assert from 'node:assert/strict';
import { test } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGrappeError } from '../core/errors.ts';
import { isIssuedBy, commonNameOf } from '../pki/pki.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { verifyPassword } from './auth/password-hash.ts';
import { dataDirLayout, loadClusterIdentity } from './data-dir.ts';
import { apiCertNames, initCluster, planSubnets } from './init-cluster.ts';

const tempParent = (): string => mkdtempSync(join(tmpdir(), 'grappe-init-'));
const mode = (path: string): number => statSync(path).mode & 0o777;

test('init creates the data dir, PKI, cluster file and store with admin and subnets', async () => {
  const parent = tempParent();
  try {
    const dataDir = join(parent, 'data');
    const result = await initCluster({ dataDir, clusterName: 'lab', apiNames: ['198.18.0.1', 'grappe.example'] });
    assert.equal(result.generatedPassword, true);
    assert.equal(result.adminPassword.length, 24);
    const layout = dataDirLayout(dataDir);
    assert.equal(mode(layout.root), 0o700);
    for (const key of [layout.caKey, layout.controllerKey, layout.apiKey, layout.clusterFile]) assert.equal(mode(key), 0o600, key);

    const identity = loadClusterIdentity(dataDir);
    assert.equal(identity.id, result.clusterId);
    assert.equal(identity.name, 'lab');
    assert.equal(identity.caCertPem, result.caCertPem);
    assert.equal(commonNameOf(identity.controllerCertPem), 'grappe-controller');
    assert.ok(isIssuedBy(identity.controllerCertPem, identity.caCertPem));
    const api = new X509Certificate(readFileSync(layout.apiCert, 'utf8'));
    assert.ok(isIssuedBy(api.toString(), identity.caCertPem));
    for (const name of ['IP Address:127.0.0.1', 'IP Address:198.18.0.1', 'DNS:localhost', 'DNS:grappe.example']) {
      assert.ok(api.subjectAltName?.includes(name), `${name} in ${api.subjectAltName}`);
    }

    const store = openSqliteStore(layout.database);
    try {
      const admin = (await store.get('/users/admin'))?.value as { role: string; passwordHash: string };
      assert.equal(admin.role, 'admin');
      assert.doesNotMatch(admin.passwordHash, new RegExp(result.adminPassword));
      assert.ok(await verifyPassword(result.adminPassword, admin.passwordHash));
      const subnets = (await store.list('/subnets/')).map((e) => e.value);
      assert.deepEqual(
        subnets.map((s) => [(s as { name: string }).name, (s as { cidr: string }).cidr]),
        [
          ['LAN', '198.18.0.0/24'],
          ['RAN', '198.18.2.0/24'],
          ['SAN', '198.18.1.0/24'],
        ],
      );
    } finally {
      await store.close();
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('init refuses a data dir that is already initialised, and leaves it untouched', async () => {
  const parent = tempParent();
  try {
    const dataDir = join(parent, 'data');
    const first = await initCluster({ dataDir, adminPassword: 'first-password' });
    assert.equal(first.generatedPassword, false);
    assert.equal(first.adminPassword, 'first-password');
    const before = readFileSync(join(dataDir, 'cluster.json'), 'utf8');
    await assert.rejects(initCluster({ dataDir }), (err: unknown) => {
      assert.ok(isGrappeError(err));
      assert.equal(err.kind, 'conflict');
      assert.equal(err.code, 'alreadyInitialised');
      assert.match(err.message, /already initialised/);
      return true;
    });
    assert.equal(readFileSync(join(dataDir, 'cluster.json'), 'utf8'), before);
    assert.equal(loadClusterIdentity(dataDir).id, first.clusterId);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('init refuses bad options before creating anything', async () => {
  const parent = tempParent();
  try {
    const dataDir = join(parent, 'data');
    const cases: Array<[Parameters<typeof initCluster>[0], RegExp]> = [
      [{ dataDir, adminPassword: 'short' }, /at least 8 characters/],
      [{ dataDir, clusterName: '-bad name-' }, /cluster name/],
      [{ dataDir, subnets: { SAN: '198.18.1.0/33' } }, /subnet SAN: '198.18.1.0\/33' is not an IPv4 CIDR/],
      [{ dataDir, subnets: { LAN: '198.18.0.5/24' } }, /did you mean 198\.18\.0\.0\/24/],
      [{ dataDir, subnets: { RAN: '198.18.0.128/25' } }, /LAN .* and RAN .* overlap/],
      [{ dataDir, apiNames: ['not a name!'] }, /neither an IP address nor a DNS name/],
    ];
    for (const [opts, message] of cases) {
      await assert.rejects(initCluster(opts), (err: unknown) => isGrappeError(err) && err.kind === 'invalidInput' && message.test(err.message));
      assert.equal(existsSync(dataDir), false);
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('a failed init removes what it created: a dir it made, or only its files in an existing dir', async () => {
  const parent = tempParent();
  // A store whose first write fails (as on a full disk), after the PKI and database files exist.
  const failingStore = (path: string): Store => {
    const real = openSqliteStore(path);
    return {
      get: (key) => real.get(key),
      list: (prefix, options) => real.list(prefix, options),
      watch: (prefix, listener) => real.watch(prefix, listener),
      revision: () => real.revision(),
      integrityCheck: () => real.integrityCheck(),
      close: () => real.close(),
      txn: async () => {
        throw new Error('disk full');
      },
    };
  };
  try {
    const fresh = join(parent, 'fresh');
    await assert.rejects(initCluster({ dataDir: fresh }, { openStore: failingStore }), /disk full/);
    assert.equal(existsSync(fresh), false);

    const existing = join(parent, 'existing');
    mkdirSync(existing);
    writeFileSync(join(existing, 'notes.txt'), 'mine');
    await assert.rejects(initCluster({ dataDir: existing }, { openStore: failingStore }), /disk full/);
    assert.deepEqual(readdirSync(existing), ['notes.txt']);

    // And the same directory can then be initialised for real.
    const ok = await initCluster({ dataDir: existing });
    assert.equal(loadClusterIdentity(existing).id, ok.clusterId);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('planSubnets and apiCertNames are pure checks', () => {
  assert.deepEqual(
    planSubnets({ LAN: '10.0.0.0/16' }).map((s) => s.cidr),
    ['10.0.0.0/16', '198.18.1.0/24', '198.18.2.0/24'],
  );
  const names = apiCertNames('node-1', ['10.1.2.3', 'api.lab', '[::1]']);
  assert.deepEqual(names.ipAddresses, ['127.0.0.1', '10.1.2.3', '::1']);
  assert.deepEqual(names.dnsNames, ['localhost', 'node-1', 'api.lab']);
  assert.ok(apiCertNames(hostname()).dnsNames.length >= 1);
});
