// Adding and removing controllers, on the leader. A join uses its token up, adds the newcomer as an
// etcd member (it then starts its member with state "existing"), and hands it the cluster's identity:
// the CA (every controller may issue agent certificates when it leads), the controller client
// certificate agents trust, and an API certificate for its own address and the floating one.
import type { JoinAnswer, JoinRequest } from '../../contract/cluster.contract.ts';
import { removalKeepsQuorum } from '../../core/cluster/quorum.ts';
import { GrappeError } from '../../core/errors.ts';
import { issueCert } from '../../pki/pki.ts';
import type { EtcdStore } from '../../store/etcd-store.ts';
import { dataDirLayout, readClusterFile } from '../data-dir.ts';
import { apiCertNames } from '../init-cluster.ts';
import type { Clock, ClusterIdentity } from '../platform/types.ts';
import type { ControllerConfig } from './cluster-config.ts';
import type { HealthView } from './cluster-health.ts';
import { consumeJoinToken } from './join-tokens.ts';
import { leadershipKeys } from './leadership.ts';

export interface MembershipDeps {
  readonly store: EtcdStore;
  readonly config: ControllerConfig;
  readonly identity: ClusterIdentity;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly health: () => HealthView;
}

const hostOf = (hostPort: string): string => hostPort.replace(/:\d+$/, '');

export async function admitController(deps: MembershipDeps, req: JoinRequest): Promise<JoinAnswer> {
  await consumeJoinToken(deps.store, deps.clock, req.token);
  const peerUrl = `https://${req.etcdPeer}`;
  const clientUrl = `https://${req.etcdClient}`;
  const { members } = await etcdCall('list the members', () => deps.store.client.cluster.memberList({ linearizable: true }));
  const taken = members.find((m) => m.name === req.name || m.peerURLs.includes(peerUrl) || m.clientURLs.includes(clientUrl));
  if (taken) {
    throw new GrappeError('duplicate', `controller '${req.name}' or its etcd address is already used in this cluster (by member '${taken.name || taken.ID}')`, {
      name: req.name,
    });
  }
  const names = apiCertNames('', [hostOf(req.api), ...(deps.config.vip ? [deps.config.vip.address.split('/')[0] ?? ''] : [])]);
  const ca = { certPem: deps.identity.caCertPem, keyPem: deps.identity.caKeyPem };
  const api = await issueCert(ca, { commonName: req.name, usage: 'server', ...names });
  // As a learner: it does not count towards quorum until it has caught up and promoted itself
  // (promoteWhenCaughtUp), so a newcomer that never starts cannot take the majority away.
  const added = await etcdCall(`add member ${req.name}`, () => addLearner(deps, peerUrl));
  const initialCluster = added.members.map((m) => `${m.name || req.name}=${m.peerURLs[0] ?? peerUrl}`);
  const endpoints = [...new Set([...added.members.flatMap((m) => m.clientURLs), clientUrl])];
  const cluster = readClusterFile(dataDirLayout(deps.dataDir));
  return {
    cluster,
    pki: {
      caCert: deps.identity.caCertPem,
      caKey: deps.identity.caKeyPem,
      controllerCert: deps.identity.controllerCertPem,
      controllerKey: deps.identity.controllerKeyPem,
      apiCert: api.certPem,
      apiKey: api.keyPem,
    },
    etcd: { endpoints, namespace: deps.config.etcd.namespace, initialCluster, clusterToken: deps.config.etcd.member?.clusterToken ?? 'grappe' },
    leaseTtlSeconds: deps.config.leaseTtlSeconds,
    vipAddress: deps.config.vip?.address ?? null,
  };
}

/** `grappe cluster delnode`: never the last controller, never one whose removal leaves no majority. */
export async function removeController(deps: MembershipDeps, name: string): Promise<{ removed: string; remaining: number }> {
  const { members } = await etcdCall('list the members', () => deps.store.client.cluster.memberList({ linearizable: true }));
  const member = members.find((m) => m.name === name);
  if (!member) {
    throw new GrappeError('controllerNotFound', `no controller '${name}' in this cluster (controllers: ${members.map((m) => m.name || m.ID).join(', ')})`, {
      name,
    });
  }
  if (name === deps.config.name) {
    throw new GrappeError('removalBreaksQuorum', `removing controller '${name}' refused: it is the controller answering this request; ask another one`, {
      name,
    });
  }
  const verdict = removalKeepsQuorum(deps.health().members, name);
  if (!verdict.ok)
    throw new GrappeError('removalBreaksQuorum', `removing controller '${name}' refused: ${verdict.why ?? 'no majority would remain'}`, { name });
  await etcdCall(`remove member ${name}`, () => deps.store.client.cluster.memberRemove({ ID: member.ID }));
  await deps.store.client
    .delete()
    .key(`${leadershipKeys(deps.store.namespace).controllers}${name}`)
    .exec()
    .catch(() => undefined);
  return { removed: name, remaining: members.length - 1 };
}

// etcd refuses a membership change until the previous one has settled (its leader connected to the
// members for a few seconds: "unhealthy cluster"), e.g. when two controllers join one after the other.
async function addLearner(deps: MembershipDeps, peerUrl: string) {
  const deadline = deps.clock.now() + 20_000;
  for (;;) {
    try {
      return await deps.store.client.cluster.memberAdd({ peerURLs: [peerUrl], isLearner: true });
    } catch (err) {
      if (!/unhealthy cluster|too many learner/i.test((err as Error).message) || deps.clock.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function etcdCall<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new GrappeError('etcdRefused', `etcd refused to ${action}: ${(err as Error).message.split('\n')[0]}`, { cause: (err as Error).message });
  }
}
