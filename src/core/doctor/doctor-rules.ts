// `grappe doctor`'s judgement, pure: check results, the kernel features and what needs each one, and
// the thresholds for disk, certificates and clock skew. The probes that feed these live in
// src/host-checks/ (on a host) and src/controller/doctor/ (controller and store).
import { fixFor } from './fix-hints.ts';

export const CHECK_STATUSES = ['ok', 'warn', 'fail'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export interface DoctorCheck {
  /** Where it ran: 'local', 'controller', or a host's name. */
  readonly scope: string;
  readonly name: string;
  readonly status: CheckStatus;
  /** What was seen, in a line. */
  readonly detail: string;
  /** One line that fixes it; only for warn and fail. */
  readonly fix?: string | undefined;
}

export type CheckResult = Omit<DoctorCheck, 'scope'>;

export const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });

/** A failed or doubtful check, its fix given or else looked up from the error text. */
export function notOk(status: 'warn' | 'fail', name: string, detail: string, fix?: string): CheckResult {
  const known = fix ?? fixFor(detail);
  return known ? { name, status, detail, fix: known } : { name, status, detail };
}

export interface DoctorSummary {
  readonly ok: number;
  readonly warn: number;
  readonly fail: number;
}

export function summarize(checks: readonly Pick<DoctorCheck, 'status'>[]): DoctorSummary {
  const count = (s: CheckStatus): number => checks.filter((c) => c.status === s).length;
  return { ok: count('ok'), warn: count('warn'), fail: count('fail') };
}

/**
 * Kernel features, what uses each, and how bad its absence is: a host without bridges or veth cannot
 * run guests at all; the others only refuse the feature that needs them.
 */
export const KERNEL_FEATURES = [
  { feature: 'bridge', linkType: 'bridge', neededBy: 'guest networks and containers (a bridge per guest network)', missing: 'fail' },
  { feature: 'veth', linkType: 'veth', neededBy: "containers' NICs", missing: 'fail' },
  { feature: 'vxlan', linkType: 'vxlan', neededBy: 'overlay guest networks between hosts', missing: 'warn' },
  { feature: 'macvlan', linkType: 'macvlan', neededBy: 'macvlan guest NICs', missing: 'warn' },
  { feature: 'bonding', linkType: 'bond', neededBy: 'NIC bonds (Bond 0+1): creating one will be refused', missing: 'warn' },
  { feature: '802.1q', linkType: 'vlan', neededBy: 'VLAN guest networks: creating one will be refused', missing: 'warn' },
] as const satisfies readonly { feature: string; linkType: string; neededBy: string; missing: 'warn' | 'fail' }[];

export type KernelFeature = (typeof KERNEL_FEATURES)[number]['feature'];

export function kernelFeatureCheck(feature: KernelFeature, error: string | undefined): CheckResult {
  const f = KERNEL_FEATURES.find((k) => k.feature === feature);
  if (!f) throw new Error(`unknown kernel feature '${feature}'`);
  const name = `kernel: ${feature}`;
  if (error === undefined) return ok(name, `${f.linkType} links can be made`);
  return notOk(f.missing, name, `no ${f.linkType} links (${error}): needed by ${f.neededBy}`, `load or build the kernel's ${feature} support`);
}

const MiB = 1024 * 1024;
export const DISK_LIMITS = { failBytes: 256 * MiB, failFraction: 0.02, warnBytes: 2048 * MiB, warnFraction: 0.1 } as const;

export function diskCheck(path: string, freeBytes: number, totalBytes: number): CheckResult {
  const name = `disk: ${path}`;
  const fraction = totalBytes > 0 ? freeBytes / totalBytes : 0;
  const detail = `${Math.round(freeBytes / MiB)} MiB free of ${Math.round(totalBytes / MiB)} MiB (${Math.round(fraction * 100)}%)`;
  if (freeBytes < DISK_LIMITS.failBytes || fraction < DISK_LIMITS.failFraction) return notOk('fail', name, detail, `free space on the file system of ${path}`);
  if (freeBytes < DISK_LIMITS.warnBytes || fraction < DISK_LIMITS.warnFraction)
    return notOk('warn', name, detail, `free space on the file system of ${path} soon`);
  return ok(name, detail);
}

const DAY_MS = 86_400_000;
export const CERT_LIMITS = { failDays: 7, warnDays: 30 } as const;

export function certificateCheck(what: string, notAfterMs: number, nowMs: number): CheckResult {
  const name = `certificate: ${what}`;
  const days = Math.floor((notAfterMs - nowMs) / DAY_MS);
  const until = new Date(notAfterMs).toISOString();
  if (notAfterMs <= nowMs) return notOk('fail', name, `expired on ${until}`, 'renew it: re-enrol the host, or re-issue the cluster certificates');
  if (days < CERT_LIMITS.failDays) return notOk('fail', name, `expires in ${days} day(s), on ${until}`, 'renew it now');
  if (days < CERT_LIMITS.warnDays) return notOk('warn', name, `expires in ${days} days, on ${until}`, 'renew it before it expires');
  return ok(name, `valid until ${until} (${days} days)`);
}

export const SKEW_LIMITS = { warnMs: 500, failMs: 5000 } as const;

/**
 * Clock skew between the controller and a host, measured over one request: `uncertaintyMs` is half the
 * round trip, so only skew beyond it counts (HA itself compares no clocks; logs, tokens and TLS do).
 */
export function clockSkewCheck(skewMs: number, uncertaintyMs: number): CheckResult {
  const beyond = Math.max(0, Math.abs(skewMs) - uncertaintyMs);
  const detail = `${skewMs >= 0 ? '+' : ''}${Math.round(skewMs)} ms from the controller (± ${Math.round(uncertaintyMs)} ms)`;
  const fix = 'run a time service (chrony or systemd-timesyncd) on every host';
  if (beyond > SKEW_LIMITS.failMs) return notOk('fail', 'clock skew', detail, fix);
  if (beyond > SKEW_LIMITS.warnMs) return notOk('warn', 'clock skew', detail, fix);
  return ok('clock skew', detail);
}

export const MIN_NODE_MAJOR = 20;

export function nodeVersionCheck(version: string): CheckResult {
  const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);
  if (major >= MIN_NODE_MAJOR) return ok('node', `Node.js ${version}`);
  return notOk('fail', 'node', `Node.js ${version}: Grappe needs ${MIN_NODE_MAJOR} or later`, `install Node.js ${MIN_NODE_MAJOR}`);
}
