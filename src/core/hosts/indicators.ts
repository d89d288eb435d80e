// The three host indicators (seed 000): connection (the host answers on its address and port),
// connector (the agent answers over mutual TLS), storage (processing hosts only: SAN configured and
// the storage host answers on the SAN, probed from the host itself).

import { isHostAddressIn, parseCidr, parseIpv4 } from '../net/ipv4.ts';
import type { HostPurpose } from './host.ts';
import type { NicAttachment, SubnetRef } from './nic-rules.ts';

export type IndicatorValue = 'green' | 'red' | 'n/a';

export interface Indicators {
  readonly connection: IndicatorValue;
  readonly connector: IndicatorValue;
  readonly storage: IndicatorValue;
}

export const UNKNOWN_INDICATORS: Indicators = { connection: 'red', connector: 'red', storage: 'red' };

export const sameIndicators = (a: Indicators, b: Indicators): boolean =>
  a.connection === b.connection && a.connector === b.connector && a.storage === b.storage;

/** True when the host's SAN attachment has an address inside the SAN subnet. */
export function sanConfigured(san: NicAttachment | undefined, subnet: SubnetRef | undefined): boolean {
  if (!san || !subnet) return false;
  const c = parseCidr(subnet.cidr);
  const ip = parseIpv4(san.ip);
  return c !== undefined && ip !== undefined && isHostAddressIn(c, ip);
}

/** n/a for storage and backup hosts; green only when the SAN is configured and the storage host answered on it. */
export function storageIndicator(purpose: HostPurpose, sanIsConfigured: boolean, storageAnswered: boolean): IndicatorValue {
  if (purpose !== 'processing') return 'n/a';
  return sanIsConfigured && storageAnswered ? 'green' : 'red';
}
