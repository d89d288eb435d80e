// What the HA loop asks of a host's agent, behind one interface: the real one speaks the agent
// protocol (ha-agent.contract.ts), tests plug in a fake.
import type { GuestStatus, IscsiChap } from '../../contract/guest-agent.contract.ts';
import type { HaLeaseRequest, HaLeaseResponse, HeartbeatVolumeRequest, SlotsResponse } from '../../contract/ha-agent.contract.ts';

export interface HaHostRef {
  readonly id: number;
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

export interface HaAgentLink {
  /** Renews (or disarms) the host's lease; answers within `timeoutMs` or throws. */
  lease(host: HaHostRef, req: HaLeaseRequest, timeoutMs: number): Promise<HaLeaseResponse>;
  /** Starts writing/reading the heartbeat volume in the host's slot. */
  configure(host: HaHostRef, req: HeartbeatVolumeRequest, timeoutMs: number): Promise<void>;
  /** Stops the storage heartbeat. */
  unconfigure(host: HaHostRef, timeoutMs: number): Promise<void>;
  slots(host: HaHostRef, timeoutMs: number): Promise<SlotsResponse>;
  /** The guests the agent runs (its own view, as GET /agent/v1/guests answers). */
  listGuests(host: HaHostRef, timeoutMs: number): Promise<GuestStatus[]>;
  /** Pulls the plug of a guest (a stray copy). */
  forceStop(host: HaHostRef, guest: string, timeoutMs: number): Promise<void>;
}

/** The heartbeat slot of a host: slot 0 holds the pool's metadata. */
export const slotOfHost = (hostId: number): number => hostId + 1;
export const hostOfSlot = (slot: number): number => slot - 1;

/** The heartbeat volume as a host opens it: its LUN, and its target's CHAP login. */
export interface HeartbeatTarget {
  readonly url: string;
  readonly chap?: IscsiChap | undefined;
}

/** What a host is told to write: its own slot of the heartbeat volume, every `intervalMs`. */
export const heartbeatRequest = (target: HeartbeatTarget, hostId: number, intervalMs: number): HeartbeatVolumeRequest => ({
  url: target.url,
  ...(target.chap ? { chap: target.chap } : {}),
  slot: slotOfHost(hostId),
  intervalMs,
});
