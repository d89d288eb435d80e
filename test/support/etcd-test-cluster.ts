// Real etcd members for tests, started by the product's own launcher (src/process/etcd-member.ts) on
// loopback ports; each test gets a fresh namespace so tests never see each other's keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcdMember, type RunningEtcdMember } from '../../src/process/etcd-member.ts';
import { freePort } from './agent-process.ts';

export interface TestEtcd {
  readonly endpoints: string[];
  readonly members: RunningEtcdMember[];
  stop(): Promise<void>;
}

/** Starts `size` members (1 or 3) of one etcd cluster on 127.0.0.1; resolves once all answer. */
export async function startTestEtcd(size = 1): Promise<TestEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'grappe-etcd-'));
  const specs = [];
  for (let i = 0; i < size; i++) {
    const clientUrl = `http://127.0.0.1:${await freePort()}`;
    const peerUrl = `http://127.0.0.1:${await freePort()}`;
    specs.push({ name: `m${i + 1}`, dataDir: join(dir, `m${i + 1}`), clientUrl, peerUrl });
  }
  const initialCluster = specs.map((s) => `${s.name}=${s.peerUrl}`);
  const members = await Promise.all(specs.map((s) => startEtcdMember({ ...s, initialCluster, state: 'new', clusterToken: `test-${process.pid}` })));
  return {
    endpoints: specs.map((s) => s.clientUrl),
    members,
    stop: async () => {
      await Promise.all(members.map((m) => m.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
