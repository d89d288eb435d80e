// Plain-words reasons for a rejected host, built only when a decision is explained. The placer
// decides pass/fail on numbers; this file only turns the failing filter into a sentence.
import type { HostState } from '../hosts/host.ts';
import type { FilterName, GuestRequest, OvercommitRatios, SchedulerHost } from './scheduler-types.ts';

export const formatRatio = (r: number): string => (Number.isInteger(r) ? r.toFixed(1) : String(Math.round(r * 100) / 100));

const quoted = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(', ');

export function stateReason(state: HostState, allowed: readonly HostState[]): string {
  if (state === 'MAINT' || state === 'EVACUATING') return `it is ${state}: a host in maintenance never receives guests`;
  if (state === 'DISABLED') return 'it is DISABLED: enable it first';
  return `it is ${state}, and this placement needs ${allowed.join(' or ')}`;
}

export interface ReasonFacts {
  readonly host: SchedulerHost;
  readonly request: GuestRequest;
  readonly ratios: OvercommitRatios;
  readonly allowStates: readonly HostState[];
  /** Current allocation (the placer's, which moves as a batch is placed). */
  readonly cpuAllocated: number;
  readonly memoryMiBAllocated: number;
  /** Names of the hosts where each affinity group of the request already runs. */
  readonly affinityHosts: (group: string) => readonly string[];
  readonly groupsOnHost: (group: string) => boolean;
}

export function rejectionReason(filter: FilterName, f: ReasonFacts): string {
  const { host, request: r, ratios } = f;
  switch (filter) {
    case 'excluded':
      return 'excluded from this placement (the host being emptied, or the guest’s current host)';
    case 'purpose':
      return `it is a ${host.purpose} host, and guests run on processing hosts`;
    case 'state':
      return stateReason(host.state, f.allowStates);
    case 'storage': {
      const missing = (r.pools ?? []).filter((p) => !host.pools.includes(p));
      const why = host.storageNote ? ` (storage: ${host.storageNote})` : '';
      return `it does not reach storage pool(s) ${quoted(missing)}${why}`;
    }
    case 'network': {
      const missing = (r.networks ?? []).filter((n) => !host.networks.includes(n));
      return `guest network(s) ${quoted(missing)} not present on it`;
    }
    case 'labels': {
      const missing = Object.entries(r.labels ?? {}).filter(([k, v]) => host.labels?.[k] !== v);
      return `it lacks label(s) ${missing.map(([k, v]) => `${k}=${v}`).join(', ')}`;
    }
    case 'cpu': {
      if (r.vcpus > host.cpuTotal) return `needs ${r.vcpus} vCPU(s), and it has only ${host.cpuTotal} CPU thread(s)`;
      const cap = Math.floor(host.cpuTotal * ratios.cpu);
      return `needs ${r.vcpus} vCPU(s), ${Math.max(0, cap - f.cpuAllocated)} free under ratio ${formatRatio(ratios.cpu)} (${host.cpuTotal} thread(s) × ${formatRatio(ratios.cpu)} = ${cap}, ${f.cpuAllocated} allocated)`;
    }
    case 'memory': {
      const cap = Math.floor(host.memoryMiBTotal * ratios.memory);
      return `needs ${r.memoryMiB} MiB, ${Math.max(0, cap - f.memoryMiBAllocated)} MiB free under ratio ${formatRatio(ratios.memory)}`;
    }
    case 'antiAffinity': {
      const groups = (r.antiAffinity ?? []).filter((g) => f.groupsOnHost(g));
      return `anti-affinity group(s) ${quoted(groups)} already have a guest on it`;
    }
    case 'affinity': {
      const group = (r.affinity ?? []).find((g) => !f.groupsOnHost(g) && f.affinityHosts(g).length > 0) ?? '';
      const where = f.affinityHosts(group);
      const shown = where.length > 3 ? `${quoted(where.slice(0, 3))} and ${where.length - 3} more` : quoted(where);
      return `affinity group '${group}' runs on host(s) ${shown}`;
    }
  }
}
