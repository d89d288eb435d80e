// The controller's side of the HA part of the agent protocol: lease renewals (network heartbeat),
// the heartbeat volume, and the slots as one host reads them. Same transport, trust and error
// mapping as AgentClient; a renewal has a short time limit of its own, since the next one is due
// within a few hundred ms.
import { z } from 'zod';
import {
  HA_AGENT_PATHS,
  haLeaseResponse,
  slotsResponse,
  type HaLeaseRequest,
  type HaLeaseResponse,
  type HeartbeatVolumeRequest,
  type SlotsResponse,
} from '../../contract/ha-agent.contract.ts';
import { WebSocket } from 'ws';
import { errors } from '../../core/errors.ts';
import { AgentClient } from './agent-client.ts';
import { LeaseStream, LeaseStreamUnsupported } from './lease-stream.ts';

const LEASE_MS = 1_000;
const SLOTS_MS = 2_000;
// Starting qemu-nbd on the LUN waits for an iSCSI login.
const VOLUME_MS = 20_000;

export const heartbeatVolumeStatus = haLeaseResponse.shape.storage;
export type HeartbeatVolumeStatus = z.infer<typeof heartbeatVolumeStatus>;

export class HaClient extends AgentClient {
  renewLease(req: HaLeaseRequest, timeoutMs = LEASE_MS): Promise<HaLeaseResponse> {
    return this.call('POST', HA_AGENT_PATHS.lease, 'mutual', req, haLeaseResponse, 'lease answer', timeoutMs);
  }

  configureHeartbeatVolume(req: HeartbeatVolumeRequest): Promise<HeartbeatVolumeStatus> {
    return this.call('PUT', HA_AGENT_PATHS.heartbeatVolume, 'mutual', req, heartbeatVolumeStatus, 'heartbeat volume status', VOLUME_MS);
  }

  stopHeartbeatVolume(): Promise<HeartbeatVolumeStatus> {
    return this.call('DELETE', HA_AGENT_PATHS.heartbeatVolume, 'mutual', undefined, heartbeatVolumeStatus, 'heartbeat volume status', VOLUME_MS);
  }

  /**
   * Opens the lease stream (lease-stream.ts) within `timeoutMs`; rejects with LeaseStreamUnsupported
   * when the agent has no such endpoint (it answered the upgrade with 404).
   */
  openLeaseStream(timeoutMs: number): Promise<LeaseStream> {
    const host = this.opts.address.includes(':') ? `[${this.opts.address}]` : this.opts.address;
    const url = `wss://${host}:${this.opts.port}${HA_AGENT_PATHS.leaseStream}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { ...this.tlsOptions('mutual'), handshakeTimeout: timeoutMs, perMessageDeflate: false });
      ws.once('open', () => resolve(new LeaseStream(ws, this.opts.hostLabel, this.where)));
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        ws.terminate();
        if (res.statusCode === 404) reject(new LeaseStreamUnsupported());
        else reject(errors.agentFailed(this.opts.hostLabel, `it answered the lease stream request with HTTP ${res.statusCode ?? 0}`));
      });
      ws.once('error', (e) => reject(this.transportError(e as NodeJS.ErrnoException)));
    });
  }

  slots(timeoutMs = SLOTS_MS): Promise<SlotsResponse> {
    return this.call('GET', HA_AGENT_PATHS.slots, 'mutual', undefined, slotsResponse, 'slots', timeoutMs);
  }
}
