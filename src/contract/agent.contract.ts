// The protocol between the controller (client) and the agent, the "connector" (server, TLS, port 4433).
// Before enrollment the agent answers only `hello` and `enroll` (password-authenticated, over TLS).
// After enrollment every request must carry a client certificate issued by the cluster CA (mutual TLS);
// `enroll` is refused from then on, so a second controller or a stranger with the old password gets nothing.
import { z } from 'zod';
import { ipv4 } from './common.ts';

export { DEFAULT_AGENT_PORT, FACTORY_DEFAULT_PASSWORD } from './agent-constants.ts';

export const AGENT_PATHS = {
  hello: '/agent/v1/hello', // GET, no auth
  enroll: '/agent/v1/enroll', // POST, password in body, before enrollment only
  inventory: '/agent/v1/inventory', // GET, mTLS
  logs: '/agent/v1/logs', // GET, mTLS: the agent's newest log lines (?after=&sinceMs=&limit=, logs.contract.ts)
  stats: '/agent/v1/stats', // GET, mTLS: usage counters of the host and its running guests (stats.contract.ts)
  nic: '/agent/v1/nics/:name', // PUT, mTLS: configure one NIC
  probe: '/agent/v1/probe', // POST, mTLS: TCP reachability test from this host
  doctor: '/agent/v1/doctor', // GET, mTLS: this host's doctor checks, its clock and certificate
  update: '/agent/v1/update', // POST, mTLS: replace the agent with the pushed bundle and restart
  release: '/agent/v1/release', // POST, mTLS: forget the cluster (host removed), back to password mode
  syslog: '/agent/v1/syslog', // PUT, mTLS: log forwarding setting
} as const;

export const helloResponse = z.object({
  product: z.literal('grappe-agent'),
  version: z.string(),
  enrolled: z.boolean(),
  clusterId: z.string().optional(), // set once enrolled
});
export type HelloResponse = z.infer<typeof helloResponse>;

export const enrollRequest = z.object({
  password: z.string().min(1),
  newPassword: z.string().min(8).optional(), // required when `password` is the factory default
  clusterId: z.string().min(1),
  hostName: z.string().min(1),
  caCertPem: z.string().min(1), // trust anchor for client certificates from now on
  certPem: z.string().min(1), // the agent's server certificate, issued by the cluster CA
  keyPem: z.string().min(1),
});
export type EnrollRequest = z.infer<typeof enrollRequest>;

export const nicInfo = z.object({
  name: z.string(),
  mac: z.string(),
  addresses: z.array(z.object({ address: ipv4, prefixLength: z.number().int().min(0).max(32) })),
  linkUp: z.boolean(),
  mtu: z.number().int(),
});
export type NicInfo = z.infer<typeof nicInfo>;

export const inventory = z.object({
  hostname: z.string(),
  agentVersion: z.string(),
  cpu: z.object({ model: z.string(), count: z.number().int() }),
  memoryMiB: z.number().int(),
  disks: z.array(z.object({ name: z.string(), sizeBytes: z.number() })),
  nics: z.array(nicInfo),
  os: z.object({ name: z.string(), kernel: z.string(), arch: z.string() }),
  hypervisor: z.object({
    qemuVersion: z.string().nullable(),
    kvmUsable: z.boolean(),
    lxcVersion: z.string().nullable(),
    tgtPresent: z.boolean(),
  }),
  uptimeSeconds: z.number(),
});
export type Inventory = z.infer<typeof inventory>;

export const nicConfigRequest = z.object({
  addresses: z.array(z.object({ address: ipv4, prefixLength: z.number().int().min(0).max(32) })),
  up: z.boolean().default(true),
});
export type NicConfigRequest = z.infer<typeof nicConfigRequest>;

export const probeRequest = z.object({ address: ipv4, port: z.number().int().min(1).max(65535), timeoutMs: z.number().int().max(10000).default(2000) });
export const probeResponse = z.object({ reachable: z.boolean(), ms: z.number(), error: z.string().optional() });
export type ProbeResponse = z.infer<typeof probeResponse>;

export const updateRequest = z.object({ version: z.string(), sha256: z.string().length(64), bundleBase64: z.string().min(1) });
export const syslogRequest = z.object({ enabled: z.boolean(), address: z.string().optional() });

export const agentError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
