// Guest networks: a pool-wide network `<name>` is the bridge `gn-<name>` on every processing host,
// and guest MACs come from one cluster-wide counter. Pure.
import { errors } from '../errors.ts';

export const DEFAULT_NETWORK = 'default';
const BRIDGE_PREFIX = 'gn-';
const IFNAMSIZ = 15; // Linux interface names are at most 15 characters
export const MAX_NETWORK_NAME = IFNAMSIZ - BRIDGE_PREFIX.length;
const NETWORK_NAME = /^[a-z0-9][a-z0-9-]*$/;

export function assertNetworkName(name: string): void {
  if (!NETWORK_NAME.test(name) || name.length > MAX_NETWORK_NAME) {
    throw errors.invalidInput(
      `guest network name '${name}' refused: 1-${MAX_NETWORK_NAME} of a-z, 0-9 and '-', starting with a letter or digit (its bridge '${BRIDGE_PREFIX}${name}' must fit Linux's ${IFNAMSIZ}-character limit)`,
      { network: name },
    );
  }
}

export const bridgeOf = (network: string): string => `${BRIDGE_PREFIX}${network}`;

/** Guests whose NICs are on `network`, from guest records shaped `{ nics: [{ network }] }`. */
export function guestsOnNetwork(guests: readonly { readonly id: string; readonly value: unknown }[], network: string): string[] {
  const out: string[] = [];
  for (const g of guests) {
    const nics = (g.value as { nics?: unknown } | null)?.nics;
    if (Array.isArray(nics) && nics.some((n) => (n as { network?: unknown } | null)?.network === network)) out.push(g.id);
  }
  return out;
}

// QEMU/KVM's locally administered OUI; the counter fills the last three bytes.
const MAC_OUI = '52:54:00';
export const MAC_SPACE = 2 ** 24;

/** The MAC for counter value `n` (0 ≤ n < 2^24): 52:54:00:xx:xx:xx, lower case. */
export function macFor(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= MAC_SPACE) throw errors.internal(`MAC counter ${n} is outside 0..${MAC_SPACE - 1}`);
  const hex = n.toString(16).padStart(6, '0');
  return `${MAC_OUI}:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}
