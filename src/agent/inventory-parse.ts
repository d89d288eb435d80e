// Pure parsers for the inventory: `ip -j addr show` output, /etc/os-release, `qemu --version`.
import type { NicInfo } from '../contract/agent.contract.ts';

interface IpAddrInfo {
  family?: string;
  local?: string;
  prefixlen?: number;
}
interface IpLink {
  ifname?: string;
  flags?: string[];
  mtu?: number;
  operstate?: string;
  address?: string;
  link_type?: string;
  addr_info?: IpAddrInfo[];
}

// Devices without carrier detection (dummy, some veths) report operstate UNKNOWN; then the
// LOWER_UP flag is the truth.
const linkUp = (l: IpLink): boolean => {
  const flags = l.flags ?? [];
  if (l.operstate === 'UP') return true;
  return l.operstate === 'UNKNOWN' && flags.includes('UP') && flags.includes('LOWER_UP');
};

const toNic = (l: IpLink): NicInfo => ({
  name: l.ifname ?? '',
  mac: l.address ?? '',
  addresses: (l.addr_info ?? [])
    .filter((a) => a.family === 'inet' && typeof a.local === 'string' && typeof a.prefixlen === 'number')
    .map((a) => ({ address: a.local!, prefixLength: a.prefixlen! })),
  linkUp: linkUp(l),
  mtu: l.mtu ?? 0,
});

/** All NICs but loopback, from the JSON text `ip -j addr show` prints. */
export function parseIpAddrJson(json: string): NicInfo[] {
  const links = JSON.parse(json) as unknown;
  if (!Array.isArray(links)) throw new Error('ip -j addr show did not print a JSON array');
  return (links as IpLink[]).filter((l) => l.ifname && l.ifname !== 'lo' && l.link_type !== 'loopback').map(toNic);
}

/** PRETTY_NAME (or NAME) from /etc/os-release text. */
export function parseOsRelease(text: string): string | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) fields.set(m[1]!, m[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return fields.get('PRETTY_NAME') ?? fields.get('NAME');
}

/** "7.2.22" from "QEMU emulator version 7.2.22 (Debian …)"; the first line when the pattern differs. */
export function parseQemuVersion(output: string): string | undefined {
  const first = output.split('\n')[0]?.trim();
  if (!first) return undefined;
  return /version (\S+)/.exec(first)?.[1] ?? first;
}
