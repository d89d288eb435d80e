// IPv4 arithmetic for logical subnets and NIC addresses. Pure: strings in, values out.

export interface Cidr {
  readonly network: number; // the network address as an unsigned 32-bit integer
  readonly prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export const isIpv4 = (text: string): boolean => parseIpv4(text) !== undefined;

export function parseCidr(text: string): Cidr | undefined {
  const [addr, bits, ...rest] = text.split('/');
  if (addr === undefined || bits === undefined || rest.length > 0 || !/^\d{1,2}$/.test(bits)) return undefined;
  const ip = parseIpv4(addr);
  const prefix = Number(bits);
  if (ip === undefined || prefix > 32) return undefined;
  const network = ip - (ip % 2 ** (32 - prefix));
  return { network, prefix };
}

export const formatCidr = (c: Cidr): string => `${formatIpv4(c.network)}/${c.prefix}`;

export function cidrContains(c: Cidr, ip: number): boolean {
  const size = 2 ** (32 - c.prefix);
  return ip >= c.network && ip < c.network + size;
}

/** A usable host address inside the subnet: not the network nor the broadcast address (for /30 and wider). */
export function isHostAddressIn(c: Cidr, ip: number): boolean {
  if (!cidrContains(c, ip)) return false;
  if (c.prefix >= 31) return true;
  const broadcast = c.network + 2 ** (32 - c.prefix) - 1;
  return ip !== c.network && ip !== broadcast;
}

export function netmaskOf(prefix: number): string {
  return formatIpv4(prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix));
}
