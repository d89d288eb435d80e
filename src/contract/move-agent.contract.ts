// The part of the agent protocol that moves a stopped guest's bytes between hosts. Agents only
// talk to the controller (mutual TLS), so the controller reads from one agent and writes to the
// other: a container's root file system as a tar stream, a local volume's content as raw bytes.
import { z } from 'zod';
import { CONTENT_SHA256_HEADER, GUEST_AGENT_PATHS } from './guest-agent.contract.ts';

export const MOVE_AGENT_PATHS = {
  /** GET: the stopped container's root file system as a tar stream. PUT: replace it from one. */
  containerRootfs: '/agent/v1/guests/:id/rootfs',
  /** GET: a local volume's content (the file as stored: raw bytes or the qcow2 image). */
  volumeContent: GUEST_AGENT_PATHS.volumeContent,
} as const;

/** Answer headers of a volume download: its SHA-256 (hex), its format, its length. */
export const VOLUME_SHA256_HEADER = CONTENT_SHA256_HEADER;
export const VOLUME_FORMAT_HEADER = 'x-volume-format';

export const ROOTFS_CONTENT_TYPE = 'application/x-tar';

/** What the agent unpacked from a PUT rootfs stream: the controller compares it with what it sent. */
export const rootfsReceived = z.object({
  id: z.string(),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type RootfsReceived = z.infer<typeof rootfsReceived>;
