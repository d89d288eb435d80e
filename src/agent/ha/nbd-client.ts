// An NBD client on a unix socket: handshake, then read/write/flush with a time limit per request.
// NBD cannot cancel a request, so a request that runs out of time fails the whole connection: the
// caller reconnects (and restarts the server if need be).
import { createConnection, type Socket } from 'node:net';
import {
  describeOptError,
  encodeClientFlags,
  encodeOptExportName,
  encodeOptGo,
  encodeRequest,
  EXPORT_NAME_REPLY_BYTES,
  EXPORT_NAME_ZEROES,
  GREETING_BYTES,
  NBD_FLAG_NO_ZEROES,
  NBD_REP_ACK,
  NBD_REP_ERR_UNSUP,
  NBD_REP_FLAG_ERROR,
  NBD_REP_INFO,
  NBD_TFLAG_READ_ONLY,
  NBD_TFLAG_SEND_FLUSH,
  NBD_TFLAG_SEND_FUA,
  nbdErrorName,
  NbdProtocolError,
  OPT_REPLY_HEADER_BYTES,
  parseExportNameReply,
  parseGreeting,
  parseInfoReply,
  parseOptReplyHeader,
  parseSimpleReply,
  SIMPLE_REPLY_BYTES,
  type ExportInfo,
  type NbdCommand,
} from './nbd-protocol.ts';

/** Reads exact byte counts from a socket's stream. */
class ByteReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.size += c.length;
      this.wake();
    });
    socket.on('close', () => this.fail(new Error('the NBD server closed the connection')));
    socket.on('error', (e) => this.fail(e));
  }

  fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  async read(n: number): Promise<Buffer> {
    while (this.size < n) {
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => (this.waiter = r));
    }
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = n < all.length ? [all.subarray(n)] : [];
    this.size = all.length - n;
    return all.subarray(0, n);
  }
}

interface Pending {
  readLength: number;
  resolve(data: Buffer): void;
  reject(e: Error): void;
}

export class NbdClient {
  private readonly socket: Socket;
  private readonly reader: ByteReader;
  private readonly pending = new Map<bigint, Pending>();
  private nextHandle = 1n;
  private closedWith: Error | undefined;
  readonly info: ExportInfo;

  private constructor(socket: Socket, reader: ByteReader, info: ExportInfo) {
    this.socket = socket;
    this.reader = reader;
    this.info = info;
    void this.receiveLoop();
  }

  /** Connects and negotiates export `name`; rejects within timeoutMs. */
  static async connect(socketPath: string, name: string, timeoutMs: number): Promise<NbdClient> {
    const socket = createConnection(socketPath);
    const reader = new ByteReader(socket);
    const timer = setTimeout(() => reader.fail(new Error(`no NBD handshake within ${timeoutMs} ms`)), timeoutMs);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      const info = await handshake(socket, reader, name);
      if (info.transmissionFlags & NBD_TFLAG_READ_ONLY) throw new NbdProtocolError(`export '${name}' is read-only`);
      return new NbdClient(socket, reader, info);
    } catch (e) {
      socket.destroy();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  read(offset: number, length: number, timeoutMs: number): Promise<Buffer> {
    return this.request('read', offset, length, timeoutMs);
  }

  /** A durable write: FUA when the server offers it, else the write followed by a flush. */
  async writeDurable(offset: number, data: Buffer, timeoutMs: number): Promise<void> {
    const fua = (this.info.transmissionFlags & NBD_TFLAG_SEND_FUA) !== 0;
    await this.request('write', offset, data.length, timeoutMs, data, fua);
    if (!fua && this.info.transmissionFlags & NBD_TFLAG_SEND_FLUSH) await this.request('flush', 0, 0, timeoutMs);
  }

  close(reason = 'closed by the client'): void {
    this.failAll(new Error(reason));
    this.socket.destroy();
  }

  private request(command: NbdCommand, offset: number, length: number, timeoutMs: number, data?: Buffer, fua = false): Promise<Buffer> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const handle = this.nextHandle++;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.close(`NBD ${command} at ${offset} got no answer within ${timeoutMs} ms`), timeoutMs);
      this.pending.set(handle, {
        readLength: command === 'read' ? length : 0,
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(encodeRequest({ command, handle, offset, length, fua, ...(data ? { data } : {}) }));
    });
  }

  private async receiveLoop(): Promise<void> {
    try {
      for (;;) {
        const reply = parseSimpleReply(await this.reader.read(SIMPLE_REPLY_BYTES));
        const p = this.pending.get(reply.handle);
        if (!p) throw new NbdProtocolError(`reply for unknown handle ${reply.handle}`);
        // Pending until its data is in too, so a time-out meanwhile still fails this request.
        const data = reply.error === 0 && p.readLength > 0 ? Buffer.from(await this.reader.read(p.readLength)) : Buffer.alloc(0);
        this.pending.delete(reply.handle);
        if (reply.error !== 0) p.reject(new Error(`the NBD server answered ${nbdErrorName(reply.error)}`));
        else p.resolve(data);
      }
    } catch (e) {
      this.failAll(e as Error);
      this.socket.destroy();
    }
  }

  private failAll(e: Error): void {
    this.closedWith ??= e;
    this.reader.fail(e);
    for (const p of this.pending.values()) p.reject(this.closedWith);
    this.pending.clear();
  }
}

async function handshake(socket: Socket, reader: ByteReader, name: string): Promise<ExportInfo> {
  const { handshakeFlags } = parseGreeting(await reader.read(GREETING_BYTES));
  socket.write(encodeClientFlags(handshakeFlags));
  socket.write(encodeOptGo(name));
  let info: ExportInfo | undefined;
  for (;;) {
    const h = parseOptReplyHeader(await reader.read(OPT_REPLY_HEADER_BYTES));
    const data = h.length > 0 ? await reader.read(h.length) : Buffer.alloc(0);
    if (h.type === NBD_REP_INFO) info = parseInfoReply(data) ?? info;
    else if (h.type === NBD_REP_ACK) {
      if (!info) throw new NbdProtocolError('the NBD server accepted GO without describing the export');
      return info;
    } else if (h.type === NBD_REP_ERR_UNSUP) {
      // A server without GO: the old way, which closes the connection on an unknown export.
      socket.write(encodeOptExportName(name));
      const reply = parseExportNameReply(await reader.read(EXPORT_NAME_REPLY_BYTES));
      if ((handshakeFlags & NBD_FLAG_NO_ZEROES) === 0) await reader.read(EXPORT_NAME_ZEROES);
      return reply;
    } else if (h.type & NBD_REP_FLAG_ERROR) throw new NbdProtocolError(describeOptError(h, data));
  }
}
