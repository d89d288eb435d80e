// The guest part of the agent protocol: volumes, iSCSI targets, bridges, guests and their serial
// consoles. Same rules as agent.contract.ts: mutual TLS with the controller's certificate, JSON in
// and out, refusals as `{ error: { code, message } }`.
import { z } from 'zod';
import { ipv4 } from './common.ts';

export const GUEST_AGENT_PATHS = {
  volumes: '/agent/v1/volumes', // GET: every volume of this host's pool
  volume: '/agent/v1/volumes/:name', // PUT create (empty), DELETE
  volumeContent: '/agent/v1/volumes/:name/content', // PUT octet-stream body: a new volume from an image
  volumeResize: '/agent/v1/volumes/:name/resize', // POST grow
  target: '/agent/v1/targets/:volume', // PUT export / update ACL, DELETE unexport
  iscsiCheck: '/agent/v1/iscsi-check', // POST: a real iSCSI login from this host
  bridge: '/agent/v1/bridges/:name', // PUT: ensure a Linux bridge exists and is up
  guests: '/agent/v1/guests', // GET: every defined guest with its run state
  guest: '/agent/v1/guests/:id', // PUT define/replace, DELETE
  guestStart: '/agent/v1/guests/:id/start',
  guestStop: '/agent/v1/guests/:id/stop',
  guestReboot: '/agent/v1/guests/:id/reboot',
  guestCdrom: '/agent/v1/guests/:id/cdrom',
  guestConsole: '/agent/v1/guests/:id/console', // GET upgraded to a WebSocket: binary frames both ways
} as const;

/** Header carrying the hex SHA-256 of an uploaded volume image, checked once it is all on disk. */
export const CONTENT_SHA256_HEADER = 'x-content-sha256';

// A volume name is part of an IQN and a file name: lower case, no slash, no leading dot.
export const volumeName = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, "1-63 of a-z, 0-9, '.', '-', starting with a letter or digit");
export const volumeFormat = z.enum(['raw', 'qcow2']);
export type VolumeFormat = z.infer<typeof volumeFormat>;

const MiB = 1024 * 1024;
// Whole MiB keeps raw and qcow2 sizes alike and iSCSI block counts exact.
const volumeSize = z
  .number()
  .int()
  .min(MiB)
  .max(64 * 1024 * 1024 * MiB)
  .refine((n) => n % MiB === 0, { message: 'must be a whole number of MiB' });

export const volumeCreateRequest = z.object({ sizeBytes: volumeSize, format: volumeFormat.default('raw') });
export type VolumeCreateRequest = z.input<typeof volumeCreateRequest>;
export const volumeResizeRequest = z.object({ sizeBytes: volumeSize });

export const volumeInfo = z.object({
  name: z.string(),
  format: volumeFormat,
  /** What the guest sees. */
  sizeBytes: z.number(),
  /** What the file takes on disk. */
  allocatedBytes: z.number(),
  path: z.string(),
  /** The IQN when exported over iSCSI from this host. */
  exportedAs: z.string().optional(),
});
export type VolumeInfo = z.infer<typeof volumeInfo>;
export const volumeList = z.array(volumeInfo);

const portal = z.string().refine(
  (p) => {
    const m = /^(.+):(\d{1,5})$/.exec(p);
    return m !== null && ipv4.safeParse(m[1]).success && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
  },
  { message: 'must be IPV4:PORT, e.g. 198.18.2.1:3260' },
);

/**
 * CHAP credentials of one iSCSI target (made by the controller per volume): the target lets in only an
 * initiator that knows them, on top of its address ACL. Letters and digits only: they go on tgtadm and
 * QEMU command lines and in QEMU option strings.
 */
export const iscsiChap = z
  .object({
    user: z.string().regex(/^[a-z0-9-]{1,32}$/, '1-32 of a-z, 0-9, -'),
    secret: z.string().regex(/^[A-Za-z0-9]{12,64}$/, '12-64 letters and digits'),
  })
  .strict();
export type IscsiChap = z.infer<typeof iscsiChap>;

/** `initiators` is the whole ACL: empty, the target admits nobody (tgt refuses a login no entry matches). */
export const targetExportRequest = z.object({ initiators: z.array(ipv4).max(64), portal, chap: iscsiChap.optional() });
export type TargetExportRequest = z.infer<typeof targetExportRequest>;
export const targetExportResponse = z.object({ iqn: z.string(), url: z.string(), initiators: z.array(z.string()) });
export type TargetExportResponse = z.infer<typeof targetExportResponse>;

// QEMU's built-in iSCSI client URL.
export const iscsiUrlSchema = z.string().regex(/^iscsi:\/\/[0-9A-Za-z.:[\]-]+\/iqn\.[^/\s]+\/[0-9]+$/, 'must be iscsi://HOST[:PORT]/IQN/LUN');
export const iscsiCheckRequest = z.object({
  url: iscsiUrlSchema,
  chap: iscsiChap.optional(),
  timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
});
export const iscsiCheckResponse = z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() });
export type IscsiCheckResponse = z.infer<typeof iscsiCheckResponse>;

export const bridgeName = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'an interface name: 1-15 of letters, digits, _ . -');
export const bridgeInfo = z.object({ name: z.string(), created: z.boolean(), up: z.boolean() });
export type BridgeInfo = z.infer<typeof bridgeInfo>;

const mac = z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'a lower-case MAC like 52:54:00:12:34:56');
export const guestNic = z.object({ mac, bridge: bridgeName });
const absolutePath = z.string().regex(/^\/[^\n\0]*$/, 'must be an absolute file path');

/** A disk is an iSCSI LUN (`url`) or a volume of this host's local pool (`volume`). */
export const vmDisk = z.union([
  z.object({ url: iscsiUrlSchema, format: volumeFormat.default('raw'), chap: iscsiChap.optional() }).strict(),
  z.object({ volume: volumeName, format: volumeFormat.optional() }).strict(),
]);

export const vmGuestSpec = z
  .object({
    kind: z.literal('vm'),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, dot, dash, underscore'),
    vcpus: z.number().int().min(1).max(64),
    memoryMiB: z
      .number()
      .int()
      .min(32)
      .max(1024 * 1024),
    kernel: absolutePath.optional(),
    initrd: absolutePath.optional(),
    cmdline: z.string().max(1024).optional(),
    disks: z.array(vmDisk).max(16).default([]),
    cdrom: absolutePath.nullable().default(null),
    nics: z.array(guestNic).max(8).default([]),
    accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
  })
  .refine((s) => s.kernel !== undefined || s.disks.length > 0 || s.cdrom !== null, { message: 'a VM needs a kernel, a disk or a CD-ROM to boot from' })
  .refine((s) => s.initrd === undefined || s.kernel !== undefined, { message: 'initrd needs kernel' });

export const ctGuestSpec = z.object({
  kind: z.literal('ct'),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, dot, dash, underscore'),
  vcpus: z.number().positive().max(256),
  memoryMiB: z
    .number()
    .int()
    .min(16)
    .max(1024 * 1024),
  template: z.union([z.literal('busybox'), absolutePath]),
  nics: z.array(guestNic).min(1).max(1),
});

export const guestSpec = z.discriminatedUnion('kind', [vmGuestSpec, ctGuestSpec]);
export type GuestSpecInput = z.input<typeof guestSpec>;
export type GuestSpec = z.output<typeof guestSpec>;
export type VmGuestSpec = z.output<typeof vmGuestSpec>;
export type CtGuestSpec = z.output<typeof ctGuestSpec>;

export const guestState = z.enum(['running', 'stopped', 'paused', 'other']);
export const guestStatus = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['vm', 'ct']),
  state: guestState,
  /** kvm or tcg for a running VM: the guest shows which. */
  accel: z.enum(['kvm', 'tcg']).optional(),
  pid: z.number().int().optional(),
  /** When this run started (from the process start time), ISO 8601. */
  startedAt: z.string().optional(),
  /** The driver's own words when the state is 'other'. */
  detail: z.string().optional(),
});
export type GuestStatus = z.infer<typeof guestStatus>;
export const guestList = z.array(guestStatus);

export const guestStopRequest = z.object({ timeoutMs: z.number().int().min(0).max(600_000).default(30_000), force: z.boolean().default(false) });
export type GuestStopRequest = z.input<typeof guestStopRequest>;
export const guestStopResponse = z.object({ id: z.string(), by: z.enum(['powerdown', 'quit', 'kill', 'halt', 'notRunning']) });
export type GuestStopResponse = z.infer<typeof guestStopResponse>;

export const cdromRequest = z.object({ iso: absolutePath.nullable() });
