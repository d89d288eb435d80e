// The testbed's naming and addressing plan. Pure: options in, names and addresses out.
// Every kernel object of testbed `<id>` is named `gtb-<id>-…` (namespaces `gtb-<id>-<host>`, bridges
// `gtb-<id>-lan`, root-side veths `gtb-<id>-<n><l|s|r>`), so a crashed run can be cleaned from the id alone.
import { HOST_PURPOSES, type HostPurpose } from '../../src/core/hosts/host.ts';
import { cidrContains, formatIpv4, isHostAddressIn, parseCidr, type Cidr } from '../../src/core/net/ipv4.ts';

export type TestbedPurpose = HostPurpose;
export type SubnetKey = 'lan' | 'san' | 'ran';
export const SUBNET_KEYS: readonly SubnetKey[] = ['lan', 'san', 'ran'];

export interface TestbedHostSpec {
  name: string;
  purpose: TestbedPurpose;
}
export interface TestbedSubnets {
  lan: string;
  san: string;
  ran: string;
}

/** One veth pair: `ifname` inside the host namespace, `peer` in the root namespace enslaved to the subnet's bridge. */
export interface PlannedNic {
  subnet: SubnetKey;
  ifname: 'eth0' | 'eth1' | 'eth2';
  peer: string;
  mac: string;
  peerMac: string;
  plannedIp: string;
  /** `ip/prefix` configured at creation ("at install"), or null when the admin configures it later. */
  configured: string | null;
}

export interface PlannedHost {
  index: number; // 1-based
  name: string;
  purpose: TestbedPurpose;
  namespace: string;
  lanIp: string;
  sanIp: string;
  ranIp: string | null;
  nics: { lan: 'eth0'; san: 'eth1'; ran: 'eth2' | null };
  links: PlannedNic[];
}

export interface TestbedPlan {
  id: string;
  prefix: string; // `gtb-<id>-`: every namespace and link of this testbed starts with it
  subnets: TestbedSubnets;
  bridges: Record<SubnetKey, { name: string; mac: string }>;
  controllerLanIp: string; // the root namespace's address on the LAN bridge
  lanPrefixLength: number;
  hosts: PlannedHost[];
}

export class TestbedError extends Error {
  override name = 'TestbedError';
}

export const ID_PATTERN = /^[a-z][a-z0-9]{0,6}$/; // ≤ 7 chars keeps `gtb-<id>-lan` within IFNAMSIZ (15)
export const HOST_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const MAX_HOSTS = 99; // two digits in the veth name
export const MAX_IFNAME = 15;
export const FIRST_HOST_OCTET = 11; // hosts get .11, .12, …; .1 is the controller on the LAN
export const TEST_RANGE = '198.18.0.0/15'; // RFC 2544 benchmarking range: never routed anywhere
export const SLOT_COUNT = 170; // 512 /24s in the test range, three per slot

export const testbedPrefix = (id: string): string => `gtb-${id}-`;

/** Three consecutive /24s of 198.18.0.0/15: slot 0 is 198.18.0-2.0/24 (the defaults), slot 1 is 198.18.3-5.0/24, … */
export function subnetsForSlot(slot: number): TestbedSubnets {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) {
    throw new TestbedError(`testbed subnet slot ${slot} refused: it must be an integer from 0 to ${SLOT_COUNT - 1}`);
  }
  const third = (k: number): string => {
    const n = slot * 3 + k;
    return `198.${18 + Math.floor(n / 256)}.${n % 256}.0/24`;
  };
  return { lan: third(0), san: third(1), ran: third(2) };
}

export const DEFAULT_SUBNETS: TestbedSubnets = subnetsForSlot(0);

/** Parses `storage:1,processing:2` into host specs named storage1, processing1, processing2. */
export function parseHostCounts(text: string): TestbedHostSpec[] {
  const hosts: TestbedHostSpec[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^(storage|processing|backup):(\d{1,2})$/.exec(part);
    if (!m) {
      throw new TestbedError(`host list entry '${part}' refused: expected purpose:count with purpose storage|processing|backup, e.g. storage:1,processing:2`);
    }
    const purpose = m[1] as TestbedPurpose;
    for (let i = 1; i <= Number(m[2]); i++) hosts.push({ name: `${purpose}${i}`, purpose });
  }
  if (hosts.length === 0) throw new TestbedError(`host list '${text}' refused: it names no host`);
  return hosts;
}

// A small stable hash of the id, so MACs differ between testbeds and stay the same across runs.
function idByte(id: string): number {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 251;
  return h;
}
const hex = (n: number): string => n.toString(16).padStart(2, '0');
// 02:… is a locally administered unicast address; the fifth byte is the host (0 for bridges).
const macOf = (id: string, host: number, kind: number): string => `02:67:74:${hex(idByte(id))}:${hex(host)}:${hex(kind)}`;

const NIC_OF: Record<SubnetKey, { ifname: 'eth0' | 'eth1' | 'eth2'; letter: string; kind: number }> = {
  lan: { ifname: 'eth0', letter: 'l', kind: 0 },
  san: { ifname: 'eth1', letter: 's', kind: 1 },
  ran: { ifname: 'eth2', letter: 'r', kind: 2 },
};

function checkSubnets(subnets: TestbedSubnets, hostCount: number): Record<SubnetKey, Cidr> {
  const range = parseCidr(TEST_RANGE) as Cidr;
  const out = {} as Record<SubnetKey, Cidr>;
  for (const key of SUBNET_KEYS) {
    const text = subnets[key];
    const c = parseCidr(text);
    if (!c || `${formatIpv4(c.network)}/${c.prefix}` !== text) {
      throw new TestbedError(`testbed ${key.toUpperCase()} subnet '${text}' refused: expected a network address in CIDR form, e.g. 198.18.0.0/24`);
    }
    const last = c.network + 2 ** (32 - c.prefix) - 1;
    if (c.prefix < 16 || !cidrContains(range, c.network) || !cidrContains(range, last)) {
      throw new TestbedError(`testbed ${key.toUpperCase()} subnet '${text}' refused: testbeds only use ${TEST_RANGE}, with a prefix of /16 or longer`);
    }
    if (!isHostAddressIn(c, c.network + FIRST_HOST_OCTET + hostCount - 1)) {
      throw new TestbedError(`testbed ${key.toUpperCase()} subnet '${text}' refused: too small for ${hostCount} hosts from .${FIRST_HOST_OCTET}`);
    }
    out[key] = c;
  }
  for (const [i, a] of SUBNET_KEYS.entries()) {
    for (const b of SUBNET_KEYS.slice(i + 1)) {
      if (cidrContains(out[a], out[b].network) || cidrContains(out[b], out[a].network)) {
        throw new TestbedError(`testbed subnets refused: ${a.toUpperCase()} ${subnets[a]} and ${b.toUpperCase()} ${subnets[b]} overlap`);
      }
    }
  }
  return out;
}

function checkHosts(id: string, hosts: TestbedHostSpec[]): void {
  if (!ID_PATTERN.test(id)) {
    throw new TestbedError(
      `testbed id '${id}' refused: 1 to 7 lowercase letters or digits, starting with a letter (it becomes part of 15-char interface names)`,
    );
  }
  if (hosts.length === 0 || hosts.length > MAX_HOSTS) {
    throw new TestbedError(`testbed '${id}' refused: it needs 1 to ${MAX_HOSTS} hosts, got ${hosts.length}`);
  }
  const seen = new Set<string>();
  for (const h of hosts) {
    if (!HOST_NAME_PATTERN.test(h.name)) {
      throw new TestbedError(`testbed host name '${h.name}' refused: lowercase letters, digits and '-', starting with a letter, at most 32 chars`);
    }
    if (!(HOST_PURPOSES as readonly string[]).includes(h.purpose)) {
      throw new TestbedError(`testbed host '${h.name}' refused: purpose '${String(h.purpose)}' is not storage, processing or backup`);
    }
    if (seen.has(h.name)) throw new TestbedError(`testbed host name '${h.name}' refused: it is used twice`);
    seen.add(h.name);
  }
}

export function planTestbed(input: { id: string; hosts: TestbedHostSpec[]; subnets?: TestbedSubnets }): TestbedPlan {
  const { id, hosts } = input;
  const subnets = input.subnets ?? DEFAULT_SUBNETS;
  checkHosts(id, hosts);
  const cidrs = checkSubnets(subnets, hosts.length);
  const prefix = testbedPrefix(id);
  const ipIn = (key: SubnetKey, offset: number): string => formatIpv4(cidrs[key].network + offset);

  const planned = hosts.map((h, i): PlannedHost => {
    const index = i + 1;
    const storage = h.purpose === 'storage';
    const offset = FIRST_HOST_OCTET + i;
    const nic = (key: SubnetKey, configured: boolean): PlannedNic => ({
      subnet: key,
      ifname: NIC_OF[key].ifname,
      peer: `${prefix}${index}${NIC_OF[key].letter}`,
      mac: macOf(id, index, NIC_OF[key].kind),
      peerMac: macOf(id, index, 0x10 + NIC_OF[key].kind),
      plannedIp: ipIn(key, offset),
      configured: configured ? `${ipIn(key, offset)}/${cidrs[key].prefix}` : null,
    });
    // LAN is configured at install; SAN only on storage hosts (the admin configures it on the others,
    // as in the product); RAN exists on storage hosts only.
    const links = [nic('lan', true), nic('san', storage), ...(storage ? [nic('ran', true)] : [])];
    return {
      index,
      name: h.name,
      purpose: h.purpose,
      namespace: `${prefix}${h.name}`,
      lanIp: ipIn('lan', offset),
      sanIp: ipIn('san', offset),
      ranIp: storage ? ipIn('ran', offset) : null,
      nics: { lan: 'eth0', san: 'eth1', ran: storage ? 'eth2' : null },
      links,
    };
  });

  const bridges = {} as Record<SubnetKey, { name: string; mac: string }>;
  for (const key of SUBNET_KEYS) bridges[key] = { name: `${prefix}${key}`, mac: macOf(id, 0, 0x20 + NIC_OF[key].kind) };

  return {
    id,
    prefix,
    subnets: { ...subnets },
    bridges,
    controllerLanIp: ipIn('lan', 1),
    lanPrefixLength: cidrs.lan.prefix,
    hosts: planned,
  };
}

/** Whether a name (namespace or link) belongs to the testbed with this prefix. */
export const ownedBy = (prefix: string, name: string): boolean => name.startsWith(prefix);
