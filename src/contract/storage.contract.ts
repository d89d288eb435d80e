// Storage pools, volumes, images and guest networks: the REST shapes, and the
// records the controller keeps in the store. Guests refer to volumes and networks by name.
import { z } from 'zod';
import { iscsiChap, volumeFormat, volumeName } from './guest-agent.contract.ts';
import { namePageQuery } from './paging.contract.ts';

// A pool is where volumes live: `iscsi` on a storage host (every volume a file-backed LUN exported as
// its own iSCSI target on the storage host's SAN address), or `local` on one processing host.
export const poolType = z.enum(['iscsi', 'local']);
export const poolView = z.object({
  name: z.string(), // 'iscsi-<storage host name>' or 'local-<processing host name>', made automatically
  type: poolType,
  hostId: z.number().int(),
  hostName: z.string(),
  shared: z.boolean(), // iscsi: every processing host can attach its volumes
});
export type PoolView = z.infer<typeof poolView>;

// Store: /volumes/<name>
export const volumeRecord = z.object({
  name: volumeName, // friendly, unique in the pool: 'web01-root'
  pool: z.string(),
  hostId: z.number().int(), // the host holding the file (storage host for iscsi, the processing host for local)
  format: volumeFormat,
  sizeBytes: z.number().int(),
  /** iscsi pools: the target, as QEMU's built-in client opens it. */
  iqn: z.string().nullable(),
  url: z.string().nullable(), // iscsi://SAN-IP:3260/IQN/1
  /** The guest using it ('vm:100'), or null. A volume is never attached to two guests. */
  attachedTo: z.string().nullable(),
  image: z.string().nullable(), // the image it was created from
  createdAt: z.string(),
  /** 'creating' while its task runs, 'deleting' while it goes (either way not usable). Absent: ready. */
  state: z.enum(['creating', 'ready', 'deleting']).optional(),
  /** iscsi pools: the initiator addresses the target's ACL was last set to. */
  initiators: z.array(z.string()).optional(),
  /**
   * iscsi pools: the target's CHAP credentials, made with the volume (or on the first ACL sync of an
   * older one). Only the storage host and the hosts that log in get them; views show the user only.
   */
  chap: iscsiChap.optional(),
});
export type VolumeRecord = z.infer<typeof volumeRecord>;
export const volumeView = volumeRecord.omit({ chap: true }).extend({
  /** The CHAP user an initiator logs in as (its secret is never shown). */
  chapUser: z.string().optional(),
});
export type VolumeView = z.infer<typeof volumeView>;
/** GET /api/v1/volumes: ?pool= filters; ?limit= and ?cursor= page (volumes come by name). */
export const volumeListQuery = z.object({ pool: z.string().min(1).max(80).optional(), ...namePageQuery }).strict();

export const volumeCreateBody = z
  .object({
    name: volumeName,
    pool: z.string().min(1),
    sizeMiB: z.number().int().min(1).optional(), // default: the image's size, else required
    format: volumeFormat.default('raw'),
    image: z.string().min(1).optional(), // create from this image
  })
  .strict();
export const volumeResizeBody = z.object({ sizeMiB: z.number().int().min(1) }).strict();
export const poolList = z.array(poolView);

// Store: /images/<name>; files under <data dir>/images/
export const imageKind = z.enum(['vm-disk', 'ct-template']);
export const imageRecord = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/),
  kind: imageKind,
  format: volumeFormat.nullable(), // vm-disk: raw|qcow2; ct-template: null (a rootfs tar.gz)
  sizeBytes: z.number().int(), // virtual size for disks
  fileBytes: z.number().int(),
  sha256: z.string(),
  path: z.string(),
  createdAt: z.string(),
});
export type ImageRecord = z.infer<typeof imageRecord>;
/** Builds the images Grappe knows how to make: 'tiny' gives 'tiny' (vm-disk) and 'tiny-ct' (ct-template). */
export const imageBuildBody = z.object({ name: z.literal('tiny') }).strict();
/** A file on the controller machine (the CLI runs there), copied into the image store. */
export const imageImportBody = z.object({ path: z.string().regex(/^\//, 'must be an absolute path'), name: imageRecord.shape.name.optional() }).strict();

// Store: /networks/<name>. A pool-wide guest network: one bridge of that name on every processing host.
export const networkRecord = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,14}$/),
  bridge: z.string(), // Linux bridge name on each processing host, e.g. 'gn-default' (≤ 15 chars)
  shared: z.boolean(), // true: the same segment on every host (what HA agility needs)
  createdAt: z.string(),
});
export type NetworkRecord = z.infer<typeof networkRecord>;
export const networkCreateBody = z.object({ name: networkRecord.shape.name }).strict();
// MACs: /index/guest-mac/<mac> -> guest id, written in the same transaction as the guest record.
