// The host monitor's memory of passing storage checks. Each check is a real iSCSI login from the
// host to a storage host's probe LUN: at 2,500 hosts, one per host per round was 250 logins a second
// on the storage hosts and as many agent calls from the controller. A pass is trusted for a while
// (the monitor says how long: only when its rounds are paced for many hosts); a failure is checked
// again every round, and a change of the host's record or of the probe LUNs (a new storage host, a
// NIC edit, the host enabled) makes it checked again at once.
import type { StorageCheck } from '../../core/hosts/indicators.ts';
import type { HostRecord } from './host-record.ts';

interface Pass {
  readonly at: number;
  readonly host: HostRecord;
  readonly probes: unknown;
  readonly checks: readonly StorageCheck[];
}

export class StoragePasses {
  private readonly kept = new Map<number, Pass>();

  /** The checks of a pass still trusted for this host record and these probes, else undefined. */
  recall(host: HostRecord, probes: unknown, now: number, trustedMs: number): readonly StorageCheck[] | undefined {
    const p = this.kept.get(host.id);
    if (p === undefined || p.host !== host || p.probes !== probes || now - p.at >= trustedMs) return undefined;
    return p.checks;
  }

  /** Remembers the checks just made: a pass is kept, anything else forgotten. */
  note(host: HostRecord, probes: unknown, now: number, checks: readonly StorageCheck[]): void {
    if (checks.length > 0 && checks.every((c) => c.ok)) this.kept.set(host.id, { at: now, host, probes, checks });
    else this.kept.delete(host.id);
  }
}
