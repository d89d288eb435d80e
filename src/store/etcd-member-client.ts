// A client for asking particular etcd members (their status, the member list) rather than the
// cluster: no retry on another member, a short dial, and the controller's TLS credentials if any.
import { Etcd3 } from 'etcd3';
import { noop } from 'cockatiel';
import type { EtcdCredentials } from './etcd-store.ts';

export function memberClient(hosts: string | readonly string[], dialTimeoutMs: number, credentials?: EtcdCredentials): Etcd3 {
  return new Etcd3({
    hosts: typeof hosts === 'string' ? hosts : [...hosts],
    dialTimeout: dialTimeoutMs,
    faultHandling: { global: noop, host: () => noop },
    ...(credentials ? { credentials: { ...credentials } } : {}),
  });
}
