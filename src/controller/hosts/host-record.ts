// The host as stored: `/hosts/<id, 6 digits>`, with unique indexes written in the same transaction
// as the record (`/index/host-name/<name>`, `/index/host-address/<ip>` for the host address and every
// attached NIC address), so two hosts can never share a name or an address, even under races.
import { z } from 'zod';
import { inventory, type Inventory } from '../../contract/agent.contract.ts';
import { HOST_PURPOSES, HOST_STATES, type HostPurpose, type HostState } from '../../core/hosts/host.ts';
import { INDICATOR_NAMES, type Indicators } from '../../core/hosts/indicators.ts';
import type { NicAttachment } from '../../core/hosts/nic-rules.ts';
import { defineRecordKind } from '../platform/stored-records.ts';

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

const indicatorValue = z.enum(['green', 'red', 'n/a']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hostRecordSchema: z.ZodType<HostRecord> = z.looseObject({
  id: z.number().int().min(0),
  name: z.string().min(1),
  purpose: z.enum(HOST_PURPOSES),
  state: z.enum(HOST_STATES),
  address: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  storageLocation: z.string().nullable(),
  servicePool: z.string().nullable(),
  syslog: z.object({ enabled: z.boolean(), address: z.string().nullable() }),
  attachments: z.record(z.string(), z.object({ subnet: z.string(), ip: z.string(), prefixLength: z.number().int().min(0).max(32) })),
  inventory: inventory.omit({ uptimeSeconds: true }).nullable(),
  indicators: z.object({
    connection: indicatorValue,
    connector: indicatorValue,
    storage: indicatorValue,
    reasons: z.partialRecord(z.enum(INDICATOR_NAMES), z.string()).optional(),
  }),
  lastSeenAt: z.string().nullable(),
  createdAt: z.string(),
});

export const REASON_BEFORE_REASONS = 'recorded before indicators carried reasons; the next check of the host says why';

/**
 * `/hosts/<id>`. Version 2: every red indicator has a reason. Version 1 records (written before
 * reasons existed) get one saying so until the monitor's next check replaces it.
 */
export const HOST_RECORD = defineRecordKind<HostRecord>({
  name: 'host',
  version: 2,
  schema: hostRecordSchema,
  fix: 'restore the data dir from a backup, or remove the host and add it again',
  migrations: {
    1: (old) => {
      const indicators = isObject(old['indicators']) ? old['indicators'] : {};
      const reasons: Record<string, unknown> = isObject(indicators['reasons']) ? { ...indicators['reasons'] } : {};
      for (const name of INDICATOR_NAMES) if (indicators[name] === 'red' && reasons[name] === undefined) reasons[name] = REASON_BEFORE_REASONS;
      return { ...old, indicators: Object.keys(reasons).length > 0 ? { ...indicators, reasons } : indicators };
    },
  },
});

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
