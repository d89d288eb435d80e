// Assembles the API's hostView from a record, its guests' totals and the shipped agent version.
import type { HostView } from '../../contract/host.contract.ts';
import { availableActions, type HostFacts } from '../../core/hosts/host.ts';
import { nicTable } from '../../core/hosts/nic-rules.ts';
import { isOlderVersion } from '../../core/hosts/version-compare.ts';
import type { GuestTotals } from './host-cache.ts';
import type { HostRecord } from './host-record.ts';

/** What the core's host rules need to know about a stored host. */
export function hostFacts(r: HostRecord, guestCount: number, shippedAgentVersion: string): HostFacts {
  const installed = r.inventory?.agentVersion ?? null;
  return {
    name: r.name,
    purpose: r.purpose,
    state: r.state,
    guestCount,
    connector: { installed, shipped: shippedAgentVersion, older: installed !== null && isOlderVersion(installed, shippedAgentVersion) },
  };
}

export function toHostView(r: HostRecord, guests: GuestTotals, shippedAgentVersion: string): HostView {
  const inv = r.inventory;
  const agentVersion = inv?.agentVersion ?? null;
  return {
    id: r.id,
    name: r.name,
    purpose: r.purpose,
    state: r.state,
    address: r.address,
    port: r.port,
    storageLocation: r.storageLocation,
    servicePool: r.servicePool,
    syslog: { enabled: r.syslog.enabled, address: r.syslog.address },
    indicators: {
      connection: r.indicators.connection,
      connector: r.indicators.connector,
      storage: r.indicators.storage,
      reasons: { ...r.indicators.reasons },
    },
    agentVersion,
    updateAvailable: agentVersion !== null && isOlderVersion(agentVersion, shippedAgentVersion),
    guests: guests.count,
    cpu: { allocated: guests.cpu, total: inv?.cpu.count ?? 0 },
    memoryMiB: { allocated: guests.memoryMiB, total: inv?.memoryMiB ?? 0 },
    hardware: inv ? { cpuModel: inv.cpu.model, os: inv.os.name, kernel: inv.os.kernel, arch: inv.os.arch } : null,
    hypervisor: inv ? { ...inv.hypervisor } : null,
    nics: nicTable(inv?.nics ?? [], r.attachments) as HostView['nics'],
    actions: availableActions(hostFacts(r, guests.count, shippedAgentVersion)),
    lastSeenAt: r.lastSeenAt,
    createdAt: r.createdAt,
  };
}
