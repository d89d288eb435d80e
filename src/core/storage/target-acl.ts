// Who may log in to the iSCSI targets: the SAN addresses of the processing hosts (those with a NIC
// attached to SAN), and nothing else. Pure.

export interface AclHost {
  readonly purpose: string;
  readonly attachments: Readonly<Record<string, { readonly subnet: string; readonly ip: string }>>;
}

/** Sorted and unique, so two computations compare equal when nothing changed. */
export function sanInitiators(hosts: readonly AclHost[]): string[] {
  const ips = new Set<string>();
  for (const h of hosts) {
    if (h.purpose !== 'processing') continue;
    for (const a of Object.values(h.attachments)) if (a.subnet === 'SAN') ips.add(a.ip);
  }
  return [...ips].sort();
}

/** The storage host's portal: its SAN address, port 3260; undefined while it has none. */
export function portalOf(host: AclHost): string | undefined {
  const san = Object.values(host.attachments).find((a) => a.subnet === 'SAN');
  return san ? `${san.ip}:3260` : undefined;
}

export const sameList = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
