import { z } from 'zod';
import { HOST_ACTIONS, HOST_PURPOSES, HOST_STATES } from '../core/hosts/host.ts';
import { hostName, indicator, ipv4, port } from './common.ts';
import { DEFAULT_AGENT_PORT } from './agent.contract.ts';
import { subnetName } from './subnet.contract.ts';
import { pageQuery } from './paging.contract.ts';

export const hostPurpose = z.enum(HOST_PURPOSES);
export const hostState = z.enum(HOST_STATES);

// POST /api/v1/hosts — "Add host". storageLocation and servicePool exist only for processing hosts.
export const hostAddRequest = z
  .object({
    purpose: hostPurpose,
    name: hostName.optional(), // omitted: a random name is generated
    address: ipv4,
    password: z.string().min(1),
    newPassword: z.string().min(8, 'the new password must have at least 8 characters').optional(),
    port: port.default(DEFAULT_AGENT_PORT),
    storageLocation: z.string().min(1).optional(),
    servicePool: z.string().min(1).optional(),
    syslog: z
      .object({ enabled: z.boolean(), address: z.string().min(1).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type HostAddRequest = z.infer<typeof hostAddRequest>;

export const hostEditRequest = z.object({ name: hostName }).strict();

export const hostNic = z.object({
  name: z.string(),
  subnet: subnetName.nullable(),
  ip: ipv4.nullable(),
  netmask: z.string().nullable(),
  prefixLength: z.number().int().nullable(),
  mac: z.string(),
  linkUp: z.boolean(),
});
export type HostNic = z.infer<typeof hostNic>;

// PUT /api/v1/hosts/:id/nics/:nic — attach a NIC to a logical subnet with an IP inside it (MAINT only).
export const nicEditRequest = z.object({ subnet: subnetName, ip: ipv4 }).strict();

export const hostView = z.object({
  id: z.number().int(),
  name: z.string(),
  purpose: hostPurpose,
  state: hostState,
  address: ipv4,
  port,
  storageLocation: z.string().nullable(),
  servicePool: z.string().nullable(),
  syslog: z.object({ enabled: z.boolean(), address: z.string().nullable() }),
  indicators: z.object({
    connection: indicator,
    connector: indicator,
    storage: indicator,
    // Why each red indicator is red: the failing check, the error it met, and a fix when one is known.
    reasons: z.object({ connection: z.string().optional(), connector: z.string().optional(), storage: z.string().optional() }),
  }),
  agentVersion: z.string().nullable(),
  updateAvailable: z.boolean(),
  guests: z.number().int(),
  cpu: z.object({ allocated: z.number(), total: z.number() }),
  memoryMiB: z.object({ allocated: z.number(), total: z.number() }),
  hardware: z.object({ cpuModel: z.string(), os: z.string(), kernel: z.string(), arch: z.string() }).nullable(),
  hypervisor: z.object({ qemuVersion: z.string().nullable(), kvmUsable: z.boolean(), lxcVersion: z.string().nullable(), tgtPresent: z.boolean() }).nullable(),
  nics: z.array(hostNic),
  actions: z.record(z.enum(HOST_ACTIONS), z.object({ allowed: z.boolean(), reason: z.string().optional() })),
  lastSeenAt: z.string().nullable(),
  createdAt: z.string(),
});
export type HostView = z.infer<typeof hostView>;

// GET /api/v1/hosts — the list pane / `onehost list` columns. The full view is GET /hosts/:id
// (or the whole list with ?view=full): keeping the list lean is what lets 1,000 hosts list fast.
export const hostSummary = hostView.pick({
  id: true,
  name: true,
  purpose: true,
  state: true,
  address: true,
  guests: true,
  cpu: true,
  memoryMiB: true,
  indicators: true,
  agentVersion: true,
  updateAvailable: true,
  lastSeenAt: true,
});
export type HostSummary = z.infer<typeof hostSummary>;
/**
 * GET /api/v1/hosts: ?view=full for whole views; ?state= and ?purpose= filter; ?limit= and ?cursor= page
 * (hosts come by id).
 */
export const hostListQuery = z
  .object({ view: z.enum(['summary', 'full']).default('summary'), state: hostState.optional(), purpose: hostPurpose.optional(), ...pageQuery })
  .strict();
