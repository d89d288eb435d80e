// The controller's side of the guest part of the agent protocol: volumes, iSCSI targets, bridges,
// guests and consoles. Same transport, trust and error mapping as AgentClient; calls that wait on
// QEMU, LXC or tgtd get time limits of their own.
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { Readable } from 'node:stream';
import { WebSocket } from 'ws';
import { z } from 'zod';
import {
  bridgeInfo,
  CONTENT_SHA256_HEADER,
  GUEST_AGENT_PATHS,
  guestList,
  guestStatus,
  guestStopResponse,
  iscsiCheckResponse,
  targetExportResponse,
  volumeFormat,
  volumeInfo,
  volumeList,
  type BridgeInfo,
  type IscsiChap,
  type GuestSpecInput,
  type GuestStatus,
  type GuestStopRequest,
  type GuestStopResponse,
  type IscsiCheckResponse,
  type TargetExportRequest,
  type TargetExportResponse,
  type VolumeCreateRequest,
  type VolumeFormat,
  type VolumeInfo,
} from '../../contract/guest-agent.contract.ts';
import {
  MOVE_AGENT_PATHS,
  ROOTFS_CONTENT_TYPE,
  rootfsReceived,
  VOLUME_FORMAT_HEADER,
  VOLUME_SHA256_HEADER,
  type RootfsReceived,
} from '../../contract/move-agent.contract.ts';
import { errors, isGrappeError, type GrappeError } from '../../core/errors.ts';
import {
  incomingResponse,
  MIGRATION_AGENT_PATHS,
  migrationStatus,
  type IncomingRequest,
  type IncomingResponse,
  type MigrationStartRequest,
  type MigrationStatus,
} from '../../contract/migration-agent.contract.ts';
import { AgentClient } from './agent-client.ts';

const SHORT_MS = 10_000;
const STORAGE_MS = 60_000; // qemu-img on a big file, tgtd start
const START_MS = 120_000; // QEMU's own start limit is 60 s; lxc-create of a template takes a while
const STOP_MARGIN_MS = 30_000; // after the guest's own shutdown time: quit, kill, clean up
/** An upload fails when no byte moves for this long (it may take hours in all). */
const UPLOAD_IDLE_MS = 60_000;

const pathOf = (template: string, params: Record<string, string>): string =>
  template.replace(/:([a-z]+)/g, (_, k: string) => encodeURIComponent(params[k] ?? ''));

const ack = z.unknown();

export class GuestClient extends AgentClient {
  listVolumes(): Promise<VolumeInfo[]> {
    return this.call('GET', GUEST_AGENT_PATHS.volumes, 'mutual', undefined, volumeList, 'volume list', STORAGE_MS);
  }

  createVolume(name: string, req: VolumeCreateRequest): Promise<VolumeInfo> {
    return this.call('PUT', pathOf(GUEST_AGENT_PATHS.volume, { name }), 'mutual', req, volumeInfo, 'volume', STORAGE_MS);
  }

  resizeVolume(name: string, sizeBytes: number): Promise<VolumeInfo> {
    return this.call('POST', pathOf(GUEST_AGENT_PATHS.volumeResize, { name }), 'mutual', { sizeBytes }, volumeInfo, 'volume', STORAGE_MS);
  }

  async deleteVolume(name: string): Promise<void> {
    await this.call('DELETE', pathOf(GUEST_AGENT_PATHS.volume, { name }), 'mutual', undefined, ack, 'deletion answer', STORAGE_MS);
  }

  /** A new volume whose content is `body` (streamed, never held in memory), checked against `sha256`. */
  uploadVolume(name: string, opts: { format: VolumeFormat; sha256: string; body: Readable; sizeBytes?: number }): Promise<VolumeInfo> {
    const path = `${pathOf(GUEST_AGENT_PATHS.volumeContent, { name })}?format=${opts.format}`;
    const headers = { [CONTENT_SHA256_HEADER]: opts.sha256, ...(opts.sizeBytes === undefined ? {} : { 'content-length': opts.sizeBytes }) };
    return this.putStream(path, headers, opts.body, volumeInfo, 'volume', `volume '${name}'`);
  }

  /** A local volume's content as a stream, with what the receiving host needs to check it. */
  async downloadVolume(name: string): Promise<{ body: Readable; sha256: string; format: VolumeFormat; sizeBytes: number }> {
    const res = await this.getStream(pathOf(MOVE_AGENT_PATHS.volumeContent, { name }), `volume '${name}'`);
    const sha256 = res.headers[VOLUME_SHA256_HEADER];
    const format = volumeFormat.safeParse(res.headers[VOLUME_FORMAT_HEADER]);
    const sizeBytes = Number(res.headers['content-length']);
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256) || !format.success || !Number.isInteger(sizeBytes)) {
      res.destroy();
      throw errors.agentFailed(this.opts.hostLabel, `it sent volume '${name}' without a valid SHA-256, format or length`);
    }
    return { body: res, sha256, format: format.data, sizeBytes };
  }

  /** The stopped container's root file system as a tar stream. */
  containerRootfs(id: string): Promise<Readable> {
    return this.getStream(pathOf(MOVE_AGENT_PATHS.containerRootfs, { id }), `the rootfs of '${id}'`);
  }

  /** Replaces the defined, stopped container's root file system with the tar stream `body`. */
  replaceContainerRootfs(id: string, body: Readable): Promise<RootfsReceived> {
    return this.putStream(
      pathOf(MOVE_AGENT_PATHS.containerRootfs, { id }),
      { 'content-type': ROOTFS_CONTENT_TYPE },
      body,
      rootfsReceived,
      'rootfs answer',
      `the rootfs of '${id}'`,
    );
  }

  // A PUT whose body is streamed; fails when no byte moves for UPLOAD_IDLE_MS (it may take hours in all).
  private putStream<T>(
    path: string,
    headers: Record<string, string | number>,
    body: Readable,
    schema: z.ZodType<T>,
    what: string,
    subject: string,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (f: () => void): void => {
        if (!done) {
          done = true;
          f();
        }
      };
      const req = request(
        {
          host: this.opts.address,
          port: this.opts.port,
          method: 'PUT',
          path,
          agent: false,
          headers: { 'content-type': 'application/octet-stream', ...headers },
          ...this.tlsOptions('mutual'),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            finish(() => {
              try {
                resolve(this.answer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), schema, what));
              } catch (e) {
                reject(e as GrappeError);
              }
            }),
          );
        },
      );
      req.setTimeout(UPLOAD_IDLE_MS, () => {
        finish(() => reject(errors.unreachable(this.where, `the upload of ${subject} stalled for ${UPLOAD_IDLE_MS} ms`)));
        req.destroy();
      });
      // An agent that refuses early answers before the body is sent: its answer wins over the broken pipe.
      req.on('error', (e) => setTimeout(() => finish(() => reject(this.transportError(e))), 200));
      body.on('error', (e) => {
        finish(() => reject(errors.internal(`the content for ${subject} could not be read: ${e.message}`)));
        req.destroy();
      });
      body.pipe(req);
    });
  }

  // A GET whose answer is streamed: resolves once a 2xx status arrives; a refusal rejects with the
  // agent's coded error. The stream errors when the agent breaks off or goes quiet.
  private getStream(path: string, subject: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({ host: this.opts.address, port: this.opts.port, method: 'GET', path, agent: false, ...this.tlsOptions('mutual') }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            this.answer(status, Buffer.concat(chunks).toString('utf8'), undefined, 'answer');
            reject(errors.agentFailed(this.opts.hostLabel, `it answered the download of ${subject} with HTTP ${status}`));
          } catch (e) {
            reject(e as GrappeError);
          }
        });
      });
      req.setTimeout(UPLOAD_IDLE_MS, () => req.destroy(errors.unreachable(this.where, `the download of ${subject} stalled for ${UPLOAD_IDLE_MS} ms`)));
      req.on('error', (e) => reject(isGrappeError(e) ? e : this.transportError(e)));
      req.end();
    });
  }

  exportTarget(volume: string, req: TargetExportRequest): Promise<TargetExportResponse> {
    return this.call('PUT', pathOf(GUEST_AGENT_PATHS.target, { volume }), 'mutual', req, targetExportResponse, 'export answer', STORAGE_MS);
  }

  async unexportTarget(volume: string): Promise<void> {
    await this.call('DELETE', pathOf(GUEST_AGENT_PATHS.target, { volume }), 'mutual', undefined, ack, 'unexport answer', STORAGE_MS);
  }

  iscsiCheck(url: string, chap: IscsiChap | undefined, timeoutMs = 5_000): Promise<IscsiCheckResponse> {
    const body = { url, timeoutMs, ...(chap ? { chap } : {}) };
    return this.call('POST', GUEST_AGENT_PATHS.iscsiCheck, 'mutual', body, iscsiCheckResponse, 'iSCSI check', timeoutMs + SHORT_MS);
  }

  ensureBridge(name: string): Promise<BridgeInfo> {
    return this.call('PUT', pathOf(GUEST_AGENT_PATHS.bridge, { name }), 'mutual', undefined, bridgeInfo, 'bridge', SHORT_MS);
  }

  /** A caller that set its own time limit (a live view must not wait on a silent host) gets it here too. */
  listGuests(): Promise<GuestStatus[]> {
    return this.call('GET', GUEST_AGENT_PATHS.guests, 'mutual', undefined, guestList, 'guest list', this.opts.timeoutMs ?? SHORT_MS * 3);
  }

  defineGuest(id: string, spec: GuestSpecInput): Promise<GuestStatus> {
    return this.call('PUT', pathOf(GUEST_AGENT_PATHS.guest, { id }), 'mutual', spec, guestStatus, 'guest', START_MS);
  }

  startGuest(id: string): Promise<GuestStatus> {
    return this.call('POST', pathOf(GUEST_AGENT_PATHS.guestStart, { id }), 'mutual', undefined, guestStatus, 'guest', START_MS);
  }

  /** Clean shutdown within `timeoutMs`, then hard stop; `force` pulls the plug at once. */
  stopGuest(id: string, req: GuestStopRequest = {}): Promise<GuestStopResponse> {
    const wait = (req.force ? 0 : (req.timeoutMs ?? 30_000)) + STOP_MARGIN_MS;
    return this.call('POST', pathOf(GUEST_AGENT_PATHS.guestStop, { id }), 'mutual', req, guestStopResponse, 'stop answer', wait);
  }

  rebootGuest(id: string): Promise<GuestStatus> {
    return this.call('POST', pathOf(GUEST_AGENT_PATHS.guestReboot, { id }), 'mutual', undefined, guestStatus, 'guest', START_MS);
  }

  async deleteGuest(id: string): Promise<void> {
    await this.call('DELETE', pathOf(GUEST_AGENT_PATHS.guest, { id }), 'mutual', undefined, ack, 'deletion answer', STORAGE_MS);
  }

  changeCdrom(id: string, iso: string | null): Promise<GuestStatus> {
    return this.call('POST', pathOf(GUEST_AGENT_PATHS.guestCdrom, { id }), 'mutual', { iso }, guestStatus, 'guest', SHORT_MS);
  }

  // Live migration (migration-agent.contract.ts). Starting the destination creates volumes and starts QEMU.
  startIncoming(id: string, req: IncomingRequest): Promise<IncomingResponse> {
    return this.call('POST', pathOf(MIGRATION_AGENT_PATHS.incoming, { id }), 'mutual', req, incomingResponse, 'incoming migration answer', START_MS);
  }

  finishIncoming(id: string): Promise<GuestStatus> {
    return this.call('POST', pathOf(MIGRATION_AGENT_PATHS.incomingFinish, { id }), 'mutual', undefined, guestStatus, 'guest', SHORT_MS);
  }

  async abortIncoming(id: string): Promise<void> {
    await this.call('DELETE', pathOf(MIGRATION_AGENT_PATHS.incoming, { id }), 'mutual', undefined, ack, 'abort answer', STORAGE_MS);
  }

  startMigration(id: string, req: MigrationStartRequest): Promise<MigrationStatus> {
    return this.call('POST', pathOf(MIGRATION_AGENT_PATHS.migration, { id }), 'mutual', req, migrationStatus, 'migration status', SHORT_MS);
  }

  migrationStatus(id: string): Promise<MigrationStatus> {
    return this.call('GET', pathOf(MIGRATION_AGENT_PATHS.migration, { id }), 'mutual', undefined, migrationStatus, 'migration status', SHORT_MS);
  }

  cancelMigration(id: string): Promise<MigrationStatus> {
    return this.call('POST', pathOf(MIGRATION_AGENT_PATHS.migrationCancel, { id }), 'mutual', undefined, migrationStatus, 'migration status', SHORT_MS);
  }

  /**
   * The guest's serial console as an open WebSocket (binary frames both ways; the scrollback comes
   * first). A refusal (guest not running, unknown guest) rejects with the agent's coded error.
   */
  openConsole(id: string): Promise<WebSocket> {
    const url = `wss://${this.opts.address.includes(':') ? `[${this.opts.address}]` : this.opts.address}:${this.opts.port}${pathOf(GUEST_AGENT_PATHS.guestConsole, { id })}`;
    const tls = this.tlsOptions('mutual');
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { ...tls, handshakeTimeout: SHORT_MS, perMessageDeflate: false });
      ws.binaryType = 'nodebuffer';
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            this.answer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), undefined, 'console answer');
            reject(errors.agentFailed(this.opts.hostLabel, `it answered the console request with HTTP ${res.statusCode} and no upgrade`));
          } catch (e) {
            reject(e as GrappeError);
          }
        });
      });
      ws.once('error', (e) => reject(this.transportError(e as NodeJS.ErrnoException)));
    });
  }
}
