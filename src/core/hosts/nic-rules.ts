// NIC attachments to logical subnets: which NIC sits on which subnet with which
// address, and the rules for changing that. Pure: the caller passes what it knows of the cluster.

import { errors, GrappeError } from '../errors.ts';
import { isHostAddressIn, netmaskOf, parseCidr, parseIpv4 } from '../net/ipv4.ts';

export interface SubnetRef {
  readonly name: string; // LAN | SAN | RAN
  readonly cidr: string;
}

/** A NIC attached to a logical subnet, as stored in the host record (keyed by NIC name). */
export interface NicAttachment {
  readonly subnet: string;
  readonly ip: string;
  readonly prefixLength: number;
}
export type Attachments = Readonly<Record<string, NicAttachment>>;

/** What the agent reports about one NIC (the inventory's shape, kept local so core imports no contract). */
export interface ObservedNic {
  readonly name: string;
  readonly mac: string;
  readonly addresses: readonly { readonly address: string; readonly prefixLength: number }[];
  readonly linkUp: boolean;
}

export interface NicRow {
  name: string;
  subnet: string | null;
  ip: string | null;
  netmask: string | null;
  prefixLength: number | null;
  mac: string;
  linkUp: boolean;
}

const inside = (subnet: SubnetRef, ip: string): boolean => {
  const c = parseCidr(subnet.cidr);
  const v = parseIpv4(ip);
  return c !== undefined && v !== undefined && isHostAddressIn(c, v);
};

const prefixOf = (subnet: SubnetRef): number => parseCidr(subnet.cidr)?.prefix ?? 32;

/**
 * Attachments made when a host is added: the NIC holding the host's address goes on LAN (it is the
 * install NIC); any NIC with an address inside SAN or RAN goes on that subnet.
 */
export function autoAttach(nics: readonly ObservedNic[], hostAddress: string, subnets: readonly SubnetRef[]): Record<string, NicAttachment> {
  const out: Record<string, NicAttachment> = {};
  const taken = new Set<string>();
  const lanNic = nics.find((n) => n.addresses.some((a) => a.address === hostAddress));
  if (lanNic) {
    const addr = lanNic.addresses.find((a) => a.address === hostAddress)!;
    out[lanNic.name] = { subnet: 'LAN', ip: hostAddress, prefixLength: addr.prefixLength };
    taken.add('LAN');
  }
  for (const nic of nics) {
    if (out[nic.name]) continue;
    for (const subnet of subnets) {
      if (subnet.name === 'LAN' || taken.has(subnet.name)) continue;
      const addr = nic.addresses.find((a) => inside(subnet, a.address));
      if (addr) {
        out[nic.name] = { subnet: subnet.name, ip: addr.address, prefixLength: addr.prefixLength };
        taken.add(subnet.name);
        break;
      }
    }
  }
  return out;
}

/** The host's NIC table: every observed NIC with its attachment; attached NICs the agent no longer reports stay visible, link down. */
export function nicTable(observed: readonly ObservedNic[], attachments: Attachments): NicRow[] {
  const rows: NicRow[] = observed.map((nic) => {
    const att = attachments[nic.name];
    const first = nic.addresses[0];
    const ip = att?.ip ?? first?.address ?? null;
    const prefixLength = att?.prefixLength ?? first?.prefixLength ?? null;
    return {
      name: nic.name,
      subnet: att?.subnet ?? null,
      ip,
      netmask: prefixLength === null ? null : netmaskOf(prefixLength),
      prefixLength,
      mac: nic.mac,
      linkUp: nic.linkUp,
    };
  });
  for (const [name, att] of Object.entries(attachments)) {
    if (observed.some((n) => n.name === name)) continue;
    rows.push({ name, subnet: att.subnet, ip: att.ip, netmask: netmaskOf(att.prefixLength), prefixLength: att.prefixLength, mac: '', linkUp: false });
  }
  return rows;
}

/** 422 unless `ip` is a usable host address inside `subnet`. */
export function assertIpInSubnet(ip: string, subnet: SubnetRef): void {
  const c = parseCidr(subnet.cidr);
  const v = parseIpv4(ip);
  if (!c || v === undefined) throw errors.invalidInput(`${ip} is not an IPv4 address`, { ip });
  if (isHostAddressIn(c, v)) return;
  const within = v >= c.network && v < c.network + 2 ** (32 - c.prefix);
  const message = within
    ? `${ip} is the network or broadcast address of ${subnet.name} ${subnet.cidr}, not a host address`
    : `${ip} is not inside ${subnet.name} ${subnet.cidr}`;
  throw new GrappeError('ipOutsideSubnet', message, { ip, subnet: subnet.name, cidr: subnet.cidr });
}

export interface NicEditFacts {
  readonly hostName: string;
  readonly hostAddress: string;
  readonly nic: string;
  readonly observedNics: readonly string[];
  readonly attachments: Attachments;
  readonly subnet: SubnetRef;
  readonly ip: string;
  /** Who else uses `ip` in the cluster (another host, or another NIC of this host), if anyone. */
  readonly ipUsedBy: { readonly host: string; readonly nic?: string } | undefined;
}

/** Checks a NIC edit (the host's state is checked by assertCan 'edit-nic'); returns the new attachment. */
export function planNicEdit(f: NicEditFacts): NicAttachment {
  if (!f.observedNics.includes(f.nic) && !f.attachments[f.nic]) throw errors.noSuchNic(f.hostName, f.nic);
  assertIpInSubnet(f.ip, f.subnet);
  const current = f.attachments[f.nic];
  if (current?.ip === f.hostAddress && (f.ip !== f.hostAddress || f.subnet.name !== current.subnet)) {
    throw new GrappeError(
      'managementNic',
      `cannot change NIC '${f.nic}' of host '${f.hostName}': it carries the host's management address ${f.hostAddress}, and changing it would cut the controller off`,
      { nic: f.nic, address: f.hostAddress },
    );
  }
  for (const [name, att] of Object.entries(f.attachments)) {
    if (name !== f.nic && att.subnet === f.subnet.name) {
      throw new GrappeError(
        'subnetAlreadyAttached',
        `cannot attach NIC '${f.nic}' of host '${f.hostName}' to ${f.subnet.name}: NIC '${name}' of this host is already on ${f.subnet.name} (${att.ip}); one NIC per subnet`,
        { nic: name, subnet: f.subnet.name },
      );
    }
  }
  if (f.ipUsedBy) {
    const where = f.ipUsedBy.nic ? `NIC '${f.ipUsedBy.nic}' of host '${f.ipUsedBy.host}'` : `host '${f.ipUsedBy.host}'`;
    throw new GrappeError('duplicate', `address ${f.ip} is already used by ${where}`, { address: f.ip, ...f.ipUsedBy });
  }
  return { subnet: f.subnet.name, ip: f.ip, prefixLength: prefixOf(f.subnet) };
}

/** The NICs that a new CIDR for `subnet` would leave outside it; a CIDR change is refused while any exist. */
export function nicsOutside(
  subnetName: string,
  cidr: string,
  hosts: readonly { readonly name: string; readonly attachments: Attachments }[],
): { host: string; nic: string; ip: string }[] {
  const subnet = { name: subnetName, cidr };
  const out: { host: string; nic: string; ip: string }[] = [];
  for (const h of hosts) {
    for (const [nic, att] of Object.entries(h.attachments)) {
      if (att.subnet === subnetName && !inside(subnet, att.ip)) out.push({ host: h.name, nic, ip: att.ip });
    }
  }
  return out;
}

/** The subnet (if any) that holds `ip` as a host address. */
export const subnetOf = (ip: string, subnets: readonly SubnetRef[]): SubnetRef | undefined => subnets.find((s) => inside(s, ip));
