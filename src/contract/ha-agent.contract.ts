// The HA part of the agent protocol. Same transport and trust as the rest (mutual TLS with
// the controller's certificate).
//
// Network heartbeat = lease: the controller renews every agent's lease every few hundred ms
// (POST lease). An agent whose lease runs out while HA is armed hard-stops its HA guests itself
// (self-fence) — unless the heartbeat volume shows that no live host hears the controller either
// (a controller outage, not an isolated host). A separate watchdog process kills them too if the
// agent itself hangs, at the deadline the agent last wrote for it.
//
// Storage heartbeat: every agent writes its slot of the shared heartbeat volume (over the SAN,
// independent of the LAN) and reads everyone's slots; it reports what it saw as AGES on its own
// clock (ms since the slot last changed), so controller and agents never compare clocks.
import { z } from 'zod';
import { guestList, iscsiChap, iscsiUrlSchema } from './guest-agent.contract.ts';

export const HA_AGENT_PATHS = {
  lease: '/agent/v1/ha/lease', // POST: renew (or disarm) the lease; answers the agent's HA health
  heartbeatVolume: '/agent/v1/ha/heartbeat-volume', // PUT: start writing/reading the volume; DELETE: stop
  slots: '/agent/v1/ha/slots', // GET: every slot of the heartbeat volume as this agent reads it
  leaseStream: '/agent/v1/ha/lease-stream', // WebSocket: lease renewals as messages (below)
} as const;

/** Bytes per host slot on the heartbeat volume; slot 0 holds the pool's metadata. */
export const HA_SLOT_BYTES = 4096;
/** The smallest heartbeat volume accepted (XenServer's statefile size: room for every slot and metadata). */
export const HA_MIN_HEARTBEAT_VOLUME_BYTES = 356 * 1024 * 1024;

export const guestIdList = z.array(z.string().regex(/^(vm|ct):[1-9][0-9]{0,8}$/, "a guest id like 'vm:100'")).max(4096);

export const haLeaseRequest = z
  .object({
    /** false: HA is off for this host: never self-fence, the watchdog stands down. */
    armed: z.boolean(),
    /** The lease lasts this long after the agent received this request. */
    fenceTimeoutMs: z.number().int().min(500).max(600_000),
    /** The HA-protected guests this host runs (what a self-fence hard-stops). */
    guests: guestIdList,
  })
  .strict();
export type HaLeaseRequest = z.infer<typeof haLeaseRequest>;

export const haLeaseResponse = z.object({
  /** The agent's clock when it renewed (for logs only). */
  agentTime: z.number(),
  /** Set when this agent self-fenced and has not been re-armed since: which guests it stopped. */
  selfFenced: z.object({ agoMs: z.number(), guests: guestIdList }).optional(),
  /** The watchdog process is alive and was handed the new deadline. */
  watchdog: z.enum(['ok', 'missing', 'disarmed']),
  /**
   * The agent's latest listing of its guests (as GET /guests answers), begun `agoMs` before this
   * answer: the controller needs no listing call of its own. Absent until the agent has made one.
   */
  guests: z.object({ agoMs: z.number().min(0), list: guestList }).optional(),
  storage: z.object({
    configured: z.boolean(),
    /** The last write of our own slot succeeded this long ago. */
    lastWriteAgoMs: z.number().optional(),
    error: z.string().optional(),
  }),
});
export type HaLeaseResponse = z.infer<typeof haLeaseResponse>;

export const heartbeatVolumeRequest = z
  .object({
    url: iscsiUrlSchema,
    chap: iscsiChap.optional(),
    /** This host's slot: its host id (slot 0 is metadata, so host ids start at 1 or the slot is id+1). */
    slot: z.number().int().min(1).max(4095),
    intervalMs: z.number().int().min(100).max(10_000).default(500),
  })
  .strict();
export type HeartbeatVolumeRequest = z.input<typeof heartbeatVolumeRequest>;

export const slotView = z.object({
  slot: z.number().int(),
  /** The host id written in the slot by its owner. */
  hostId: z.number().int(),
  /** The slot's owner counter, bumped on every write. */
  seq: z.number().int(),
  /** ms since this agent last saw the slot change (its writer is alive if small). */
  changedAgoMs: z.number(),
  /** The owner says its controller lease is valid (false: it lost the controller). */
  leaseOk: z.boolean(),
  /** Set when the owner has self-fenced: how long ago, by the agent reading it. */
  selfFencedAgoMs: z.number().optional(),
  /** The owner's HA is armed (a disarmed host's silent controller is no evidence of an outage). */
  armed: z.boolean().optional(),
});
export type SlotView = z.infer<typeof slotView>;
export const slotsResponse = z.object({ slots: z.array(slotView), readAgoMs: z.number().optional(), error: z.string().optional() });
export type SlotsResponse = z.infer<typeof slotsResponse>;

// The lease stream: the same renewals as POST lease, as messages on one WebSocket the controller keeps
// open per host (at 1,000 hosts an HTTP request per renewal cost most of a controller core). Each
// request carries a sequence number its answer repeats; an agent without the endpoint answers the
// upgrade with 404 and the controller renews over POST lease.
export const leaseStreamRequest = z.object({ seq: z.number().int().min(0), lease: haLeaseRequest }).strict();
export type LeaseStreamRequest = z.infer<typeof leaseStreamRequest>;

export const leaseStreamAnswer = z.union([
  z.object({ seq: z.number().int().min(0), lease: haLeaseResponse }),
  z.object({ seq: z.number().int().min(0).optional(), error: z.object({ code: z.string(), message: z.string() }) }),
]);
export type LeaseStreamAnswer = z.infer<typeof leaseStreamAnswer>;
