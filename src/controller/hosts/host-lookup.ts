// `:id` in the host routes: the numeric id or the name; 404 otherwise.
import { errors } from '../../core/errors.ts';
import type { HostFacts } from '../../core/hosts/host.ts';
import type { HostRecord } from './host-record.ts';
import type { HostsRuntime } from './hosts-runtime.ts';

export function findHost(rt: HostsRuntime, ref: string): HostRecord {
  const host = rt.cache.find(ref);
  if (!host) throw errors.noSuchHost(ref);
  return host;
}

export const factsOf = (rt: HostsRuntime, r: HostRecord): HostFacts => ({
  name: r.name,
  purpose: r.purpose,
  state: r.state,
  guestCount: rt.cache.guestTotals(r.id).count,
});
