// A joining controller's etcd member starts as a raft learner (it receives the log but does not vote):
// once it has caught up, it asks to become a voting member. etcd refuses the promotion while the
// learner lags, so this retries until it is accepted. A learner serves no client requests, so the
// promotion is asked of the other members.
import type { EtcdCredentials } from '../../store/etcd-store.ts';
import { memberClient } from '../../store/etcd-member-client.ts';
import { GrappeError } from '../../core/errors.ts';

export async function promoteWhenCaughtUp(
  ownPeerUrl: string,
  otherEndpoints: readonly string[],
  credentials?: EtcdCredentials,
  timeoutMs = 60_000,
): Promise<'promoted' | 'already-voting'> {
  if (otherEndpoints.length === 0) return 'already-voting';
  const client = memberClient(otherEndpoints, 2000, credentials);
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  try {
    while (Date.now() < deadline) {
      try {
        const { members } = await client.cluster.memberList({ linearizable: false }, { deadline: Date.now() + 2000 });
        const me = members.find((m) => m.peerURLs.includes(ownPeerUrl));
        if (!me) throw new GrappeError('etcdRefused', `etcd refused to promote this controller: no member has peer URL ${ownPeerUrl} (removed?)`, {});
        if (!me.isLearner) return 'already-voting';
        await client.cluster.memberPromote({ ID: me.ID }, { deadline: Date.now() + 2000 });
        return 'promoted';
      } catch (err) {
        if (err instanceof GrappeError) throw err;
        lastError = (err as Error).message.split('\n')[0] ?? '';
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    throw new GrappeError('etcdRefused', `etcd refused to promote this controller to a voting member within ${timeoutMs / 1000} s: ${lastError}`, {
      cause: lastError,
    });
  } finally {
    client.close();
  }
}
