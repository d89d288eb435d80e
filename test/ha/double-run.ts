// What the double-run watcher concludes from its samples. Pure: samples in, findings and a ledger out.
//
// A sample lists the guest processes seen on the testbed's hosts at one instant (a QEMU or an LXC
// monitor per guest, with the iSCSI targets the QEMU holds a live connection to). Two things must
// never happen: one guest running on two hosts, and one disk (iSCSI target) opened by two QEMU
// processes. The ledger also keeps when each guest was first seen on each host, which gives the
// recovery time after a fault.

export interface ObservedProcess {
  pid: number;
  host: string;
  kind: 'qemu' | 'lxc';
  guest: string;
  /** iSCSI targets this process holds an established connection to (QEMU only). */
  openTargets: string[];
}

export interface Sample {
  at: number; // ms, the caller's clock
  processes: ObservedProcess[];
}

export interface DoubleRun {
  guest: string;
  hosts: string[];
  pids: number[];
}

export interface SharedDisk {
  target: string;
  hosts: string[];
  pids: number[];
}

export interface SampleFindings {
  doubleRuns: DoubleRun[];
  sharedDisks: SharedDisk[];
}

const uniqueSorted = <T>(xs: readonly T[]): T[] => [...new Set(xs)].sort();

function groupBy<K>(procs: readonly ObservedProcess[], keysOf: (p: ObservedProcess) => readonly K[]): Map<K, ObservedProcess[]> {
  const out = new Map<K, ObservedProcess[]>();
  for (const p of procs) for (const k of keysOf(p)) out.set(k, [...(out.get(k) ?? []), p]);
  return out;
}

/** One guest on two hosts; one target held by two processes (even on the same host). */
export function analyzeSample(sample: Sample): SampleFindings {
  const doubleRuns: DoubleRun[] = [];
  for (const [guest, procs] of groupBy(sample.processes, (p) => [p.guest])) {
    const hosts = uniqueSorted(procs.map((p) => p.host));
    if (hosts.length > 1) doubleRuns.push({ guest, hosts, pids: uniqueSorted(procs.map((p) => p.pid)) });
  }
  const sharedDisks: SharedDisk[] = [];
  for (const [target, procs] of groupBy(sample.processes, (p) => uniqueSorted(p.openTargets))) {
    const pids = uniqueSorted(procs.map((p) => p.pid));
    if (pids.length > 1) sharedDisks.push({ target, hosts: uniqueSorted(procs.map((p) => p.host)), pids });
  }
  return { doubleRuns, sharedDisks };
}

/** Every pid a finding involves, to re-check that they all still live after the (non-atomic) scan. */
export const pidsOf = (f: SampleFindings): number[] => uniqueSorted([...f.doubleRuns.flatMap((d) => d.pids), ...f.sharedDisks.flatMap((d) => d.pids)]);

export interface Violation<T> {
  at: number;
  finding: T;
}

export interface LedgerReport {
  samples: number;
  /** Samples where a guest ran on two hosts, confirmed: every process involved still lived after the scan. */
  doubleRuns: Violation<DoubleRun>[];
  /** Samples where a target was held by two QEMU processes, confirmed likewise. */
  sharedDisks: Violation<SharedDisk>[];
  /**
   * Findings whose processes did not all outlive the scan: a scan reads processes one by one, so an
   * old process read just before it exited and its successor read just after it started can both
   * appear in one scan. Reported, not counted as violations.
   */
  unconfirmed: number;
  /** Per guest, per host: when it was first seen running there. */
  firstSeen: Record<string, Record<string, number>>;
}

interface Change {
  at: number;
  hosts: string[];
}

/** Accumulates samples: violations, first sightings, and each guest's placement changes over time. */
export class RunLedger {
  private samples = 0;
  private readonly doubleRuns: Violation<DoubleRun>[] = [];
  private readonly sharedDisks: Violation<SharedDisk>[] = [];
  private unconfirmed = 0;
  private readonly firstSeen = new Map<string, Map<string, number>>();
  private readonly timeline = new Map<string, Change[]>();
  private last: Sample | undefined;

  /** `confirmed`: whether every pid of the findings still lived after the scan. */
  add(sample: Sample, findings: SampleFindings, confirmed: boolean): void {
    this.samples++;
    this.last = sample;
    if (confirmed) {
      for (const d of findings.doubleRuns) this.doubleRuns.push({ at: sample.at, finding: d });
      for (const d of findings.sharedDisks) this.sharedDisks.push({ at: sample.at, finding: d });
    } else if (findings.doubleRuns.length + findings.sharedDisks.length > 0) {
      this.unconfirmed++;
    }
    const hostsOf = new Map<string, string[]>();
    for (const p of sample.processes) hostsOf.set(p.guest, uniqueSorted([...(hostsOf.get(p.guest) ?? []), p.host]));
    for (const guest of new Set([...hostsOf.keys(), ...this.timeline.keys()])) {
      const hosts = hostsOf.get(guest) ?? [];
      const changes = this.timeline.get(guest) ?? [];
      if (changes.at(-1)?.hosts.join() !== hosts.join()) this.timeline.set(guest, [...changes, { at: sample.at, hosts }]);
      const seen = this.firstSeen.get(guest) ?? new Map<string, number>();
      for (const h of hosts) if (!seen.has(h)) seen.set(h, sample.at);
      this.firstSeen.set(guest, seen);
    }
  }

  get sampleCount(): number {
    return this.samples;
  }

  /** Hosts the guest ran on in the latest sample. */
  hostsNow(guest: string): string[] {
    return uniqueSorted((this.last?.processes ?? []).filter((p) => p.guest === guest).map((p) => p.host));
  }

  /** The first sample at or after `since` where the guest ran on a host other than `excluded`, and that host. */
  firstElsewhere(guest: string, since: number, excluded: string): { at: number; host: string } | undefined {
    for (const c of (this.timeline.get(guest) ?? []).filter((x) => x.at >= since)) {
      const host = c.hosts.find((h) => h !== excluded);
      if (host !== undefined) return { at: c.at, host };
    }
    return undefined;
  }

  report(): LedgerReport {
    const firstSeen: Record<string, Record<string, number>> = {};
    for (const [guest, hosts] of this.firstSeen) firstSeen[guest] = Object.fromEntries(hosts);
    return { samples: this.samples, doubleRuns: [...this.doubleRuns], sharedDisks: [...this.sharedDisks], unconfirmed: this.unconfirmed, firstSeen };
  }
}
