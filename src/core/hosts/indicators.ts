// The three host indicators: connection (the host answers on its address and port),
// connector (the agent answers over mutual TLS), storage (processing hosts only: SAN configured and
// the storage host answers on the SAN, probed from the host itself).

import { withFix } from '../doctor/fix-hints.ts';
import { isHostAddressIn, parseCidr, parseIpv4 } from '../net/ipv4.ts';
import type { HostPurpose } from './host.ts';
import type { NicAttachment, SubnetRef } from './nic-rules.ts';

export type IndicatorValue = 'green' | 'red' | 'n/a';

export const INDICATOR_NAMES = ['connection', 'connector', 'storage'] as const;
export type IndicatorName = (typeof INDICATOR_NAMES)[number];

/** Why an indicator is not green: the failing check and the error it met (with a fix when one is known). */
export type IndicatorReasons = Partial<Record<IndicatorName, string>>;

export interface Indicators {
  readonly connection: IndicatorValue;
  readonly connector: IndicatorValue;
  readonly storage: IndicatorValue;
  /** Only for the red ones. Absent on records written before reasons existed. */
  readonly reasons?: IndicatorReasons | undefined;
}

export const sameIndicators = (a: Indicators, b: Indicators): boolean => INDICATOR_NAMES.every((k) => a[k] === b[k] && a.reasons?.[k] === b.reasons?.[k]);

/** The outcome of one check: passed, or failed with the error text it met. */
export type CheckOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** One storage check from a processing host: `what` names the pool and URL, or the SAN address. */
export type StorageCheck = CheckOutcome & { readonly what: string };

/** What the host monitor measured, as plain data. */
export interface IndicatorProbes {
  readonly purpose: HostPurpose;
  /** host:port, for the messages. */
  readonly endpoint: string;
  /** A TCP connection to the agent's port. */
  readonly connection: CheckOutcome;
  /** The agent's inventory over mutual TLS; undefined when not tried (no connection). */
  readonly connector: CheckOutcome | undefined;
  readonly sanConfigured: boolean;
  /**
   * Processing hosts with SAN and a working connector: each storage check tried from the host
   * (`what` names the pool and URL, or the SAN address); empty when there is nothing to reach yet.
   */
  readonly storage: readonly StorageCheck[];
}

/**
 * The three indicators and, for each red one, why. Storage is green when any shared pool answers
 * (a host needs one to run guests on shared storage); when none does, every failure is listed.
 */
export function judgeIndicators(p: IndicatorProbes): Indicators {
  const reasons: IndicatorReasons = {};
  const connection: IndicatorValue = p.connection.ok ? 'green' : 'red';
  if (!p.connection.ok) reasons.connection = withFix(`no TCP connection to ${p.endpoint}: ${p.connection.error}`);

  let connector: IndicatorValue = 'red';
  if (p.connector?.ok) connector = 'green';
  else if (p.connector) reasons.connector = withFix(`the agent on ${p.endpoint} does not answer over mutual TLS: ${p.connector.error}`);
  else reasons.connector = 'not checked: no connection to the host';

  let storage: IndicatorValue = 'n/a';
  if (p.purpose === 'processing') {
    storage = 'red';
    if (!p.sanConfigured) reasons.storage = 'no NIC attached to the SAN subnet with an address inside it (grappe host nic edit HOST NIC --subnet SAN --ip IP)';
    else if (connector !== 'green') reasons.storage = 'not checked: the agent does not answer';
    else if (p.storage.length === 0) reasons.storage = 'no storage host with a SAN address to reach yet';
    else if (p.storage.some((s) => s.ok)) storage = 'green';
    else reasons.storage = p.storage.map((s) => withFix(`${s.what}: ${s.ok ? '' : s.error}`)).join('; ');
  }
  const red = Object.keys(reasons).length > 0;
  return red ? { connection, connector, storage, reasons } : { connection, connector, storage };
}

/** True when the host's SAN attachment has an address inside the SAN subnet. */
export function sanConfigured(san: NicAttachment | undefined, subnet: SubnetRef | undefined): boolean {
  if (!san || !subnet) return false;
  const c = parseCidr(subnet.cidr);
  const ip = parseIpv4(san.ip);
  return c !== undefined && ip !== undefined && isHostAddressIn(c, ip);
}
