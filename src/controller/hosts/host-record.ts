// The host as stored: `/hosts/<id, 6 digits>`, with unique indexes written in the same transaction
// as the record (`/index/host-name/<name>`, `/index/host-address/<ip>` for the host address and every
// attached NIC address), so two hosts can never share a name or an address, even under races.
import type { Inventory } from '../../contract/agent.contract.ts';
import type { HostPurpose, HostState } from '../../core/hosts/host.ts';
import type { Indicators } from '../../core/hosts/indicators.ts';
import type { NicAttachment } from '../../core/hosts/nic-rules.ts';

/** The inventory minus what changes on every read (uptime), so unchanged hosts cause no writes. */
export type StoredInventory = Omit<Inventory, 'uptimeSeconds'>;

export interface HostRecord {
  readonly id: number;
  readonly name: string;
  readonly purpose: HostPurpose;
  readonly state: HostState;
  readonly address: string;
  readonly port: number;
  readonly storageLocation: string | null;
  readonly servicePool: string | null;
  readonly syslog: { readonly enabled: boolean; readonly address: string | null };
  readonly attachments: Readonly<Record<string, NicAttachment>>;
  readonly inventory: StoredInventory | null;
  readonly indicators: Indicators;
  readonly lastSeenAt: string | null;
  readonly createdAt: string;
}

/** What an address index entry points at: the host, and the NIC when it is a NIC's address. */
export interface AddressOwner {
  readonly hostId: number;
  readonly nic: string | null;
}

export const HOSTS_PREFIX = '/hosts/';
export const HOST_COUNTER_KEY = '/counters/host';
export const GUESTS_PREFIX = '/guests/';
export const hostKey = (id: number): string => `${HOSTS_PREFIX}${String(id).padStart(6, '0')}`;
export const nameIndexKey = (name: string): string => `/index/host-name/${name}`;
export const addressIndexKey = (ip: string): string => `/index/host-address/${ip}`;

export const stripUptime = (inv: Inventory): StoredInventory => {
  const { uptimeSeconds: _ignored, ...rest } = inv;
  return rest;
};

/** Every address the host owns in the cluster, with the NIC holding it (null: the host address itself). */
export function ownedAddresses(r: Pick<HostRecord, 'address' | 'attachments'>): Map<string, string | null> {
  const out = new Map<string, string | null>([[r.address, null]]);
  for (const [nic, att] of Object.entries(r.attachments)) {
    if (att.ip === r.address) out.set(att.ip, nic);
    else if (!out.has(att.ip)) out.set(att.ip, nic);
  }
  return out;
}
