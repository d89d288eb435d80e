// Rules for the set of logical subnets (LAN, SAN, RAN): each is a network CIDR (no host bits), and no
// two overlap. Checked at init and on every CIDR change. Pure.
import { errors } from '../errors.ts';
import { cidrContains, formatCidr, parseCidr } from './ipv4.ts';

export interface NamedCidr {
  readonly name: string;
  readonly cidr: string;
}

/** Throws invalidInput naming the subnet and the problem; returns nothing when the set is sound. */
export function checkLogicalSubnets(subnets: readonly NamedCidr[]): void {
  for (const s of subnets) {
    const cidr = parseCidr(s.cidr);
    if (!cidr) throw errors.invalidInput(`subnet ${s.name}: '${s.cidr}' is not an IPv4 CIDR such as 198.18.0.0/24`, { subnet: s.name });
    if (formatCidr(cidr) !== s.cidr) {
      throw errors.invalidInput(`subnet ${s.name}: '${s.cidr}' is not a network address (did you mean ${formatCidr(cidr)}?)`, { subnet: s.name });
    }
  }
  for (const a of subnets) {
    for (const b of subnets) {
      const ca = parseCidr(a.cidr)!;
      const cb = parseCidr(b.cidr)!;
      if (a.name < b.name && (cidrContains(ca, cb.network) || cidrContains(cb, ca.network))) {
        throw errors.invalidInput(`subnets ${a.name} (${a.cidr}) and ${b.name} (${b.cidr}) overlap; each logical subnet needs its own range`, {
          subnets: [a.name, b.name],
        });
      }
    }
  }
}
