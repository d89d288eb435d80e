// Real etcd members for tests, started by the product's own launcher (src/process/etcd-member.ts) on
// loopback ports; each test gets a fresh namespace so tests never see each other's keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcdMember, type RunningEtcdMember } from '../../src/process/etcd-member.ts';
import { credentialsOf, ensureEtcdTls } from '../../src/controller/cluster/etcd-security.ts';
import type { EtcdCredentials } from '../../src/store/etcd-store.ts';
import { createCa, type CertAndKey } from '../../src/pki/pki.ts';
import { freePort } from './agent-process.ts';

/** A throw-away cluster CA for TLS tests. */
export const testCa = (): Promise<CertAndKey> => createCa('grappe test cluster CA');

export interface TestEtcd {
  readonly endpoints: string[];
  readonly members: RunningEtcdMember[];
  /** With `tls`: the first member's credentials, as its controller would present them. */
  readonly credentials?: EtcdCredentials;
  stop(): Promise<void>;
}

/**
 * Starts `size` members (1 or 3) of one etcd cluster on 127.0.0.1; resolves once all answer. With
 * `tls`, mutual TLS as the product sets it up (certificates of the given CA, made by etcd-tls.ts).
 */
export async function startTestEtcd(size = 1, opts: { tls?: CertAndKey } = {}): Promise<TestEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'grappe-etcd-'));
  const scheme = opts.tls ? 'https' : 'http';
  const specs = [];
  for (let i = 0; i < size; i++) {
    const clientUrl = `${scheme}://127.0.0.1:${await freePort()}`;
    const peerUrl = `${scheme}://127.0.0.1:${await freePort()}`;
    const tls = opts.tls ? await ensureEtcdTls(join(dir, `tls${i + 1}`), opts.tls, `m${i + 1}`, '127.0.0.1') : undefined;
    specs.push({ name: `m${i + 1}`, dataDir: join(dir, `m${i + 1}`), clientUrl, peerUrl, ...(tls ? { tls } : {}) });
  }
  const initialCluster = specs.map((s) => `${s.name}=${s.peerUrl}`);
  const members = await Promise.all(specs.map((s) => startEtcdMember({ ...s, initialCluster, state: 'new', clusterToken: `test-${process.pid}` })));
  const firstTls = specs[0]?.tls;
  return {
    endpoints: specs.map((s) => s.clientUrl),
    members,
    ...(firstTls ? { credentials: credentialsOf(firstTls) } : {}),
    stop: async () => {
      await Promise.all(members.map((m) => m.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
