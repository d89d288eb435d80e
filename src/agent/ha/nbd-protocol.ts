// The NBD protocol (fixed newstyle handshake, simple replies only), as pure encoders and decoders.
// The heartbeat volume is read and written through qemu-nbd, which speaks NBD on a unix socket and
// iSCSI to the storage host: this host has no kernel iSCSI initiator.
//
// Handshake: server greeting (NBDMAGIC, IHAVEOPT, flags) → client flags → options (GO, or
// EXPORT_NAME from servers without GO) → transmission: 28-byte requests, 16-byte simple replies.

export const NBD_MAGIC = 0x4e42444d41474943n; // "NBDMAGIC"
export const NBD_IHAVEOPT = 0x49484156454f5054n; // "IHAVEOPT"
export const NBD_OPT_REPLY_MAGIC = 0x0003e889045565a9n;
export const NBD_REQUEST_MAGIC = 0x25609513;
export const NBD_SIMPLE_REPLY_MAGIC = 0x67446698;
export const NBD_STRUCTURED_REPLY_MAGIC = 0x668e33ef;

export const NBD_FLAG_FIXED_NEWSTYLE = 1 << 0;
export const NBD_FLAG_NO_ZEROES = 1 << 1;
export const NBD_FLAG_C_FIXED_NEWSTYLE = 1 << 0;
export const NBD_FLAG_C_NO_ZEROES = 1 << 1;

export const NBD_OPT_EXPORT_NAME = 1;
export const NBD_OPT_GO = 7;
export const NBD_REP_ACK = 1;
export const NBD_REP_INFO = 3;
export const NBD_REP_FLAG_ERROR = 0x80000000;
export const NBD_REP_ERR_UNSUP = NBD_REP_FLAG_ERROR + 1;
export const NBD_INFO_EXPORT = 0;

/** Transmission flags the server announces for the export. */
export const NBD_TFLAG_HAS_FLAGS = 1 << 0;
export const NBD_TFLAG_READ_ONLY = 1 << 1;
export const NBD_TFLAG_SEND_FLUSH = 1 << 2;
export const NBD_TFLAG_SEND_FUA = 1 << 3;

export const NBD_CMD = { read: 0, write: 1, disc: 2, flush: 3 } as const;
export type NbdCommand = keyof typeof NBD_CMD;
export const NBD_CMD_FLAG_FUA = 1 << 0;

/** Lengths of the fixed-size messages. */
export const GREETING_BYTES = 18;
export const OPT_REPLY_HEADER_BYTES = 20;
export const SIMPLE_REPLY_BYTES = 16;
export const REQUEST_HEADER_BYTES = 28;
/** The EXPORT_NAME answer without (with) the 124 zero bytes of old servers. */
export const EXPORT_NAME_REPLY_BYTES = 10;
export const EXPORT_NAME_ZEROES = 124;

export class NbdProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NbdProtocolError';
  }
}

const ERRNO: Record<number, string> = { 1: 'EPERM', 5: 'EIO', 12: 'ENOMEM', 22: 'EINVAL', 28: 'ENOSPC', 75: 'EOVERFLOW', 95: 'ENOTSUP', 108: 'ESHUTDOWN' };
export const nbdErrorName = (code: number): string => ERRNO[code] ?? `error ${code}`;

function need(buf: Buffer, n: number, what: string): void {
  if (buf.length < n) throw new NbdProtocolError(`${what}: ${buf.length} bytes, expected ${n}`);
}

/** The server's first 18 bytes: its handshake flags; refuses an oldstyle or non-fixed server. */
export function parseGreeting(buf: Buffer): { handshakeFlags: number } {
  need(buf, GREETING_BYTES, 'server greeting');
  if (buf.readBigUInt64BE(0) !== NBD_MAGIC) throw new NbdProtocolError('server greeting: not an NBD server (no NBDMAGIC)');
  if (buf.readBigUInt64BE(8) !== NBD_IHAVEOPT) throw new NbdProtocolError('server greeting: oldstyle NBD server (no IHAVEOPT); newstyle is required');
  const handshakeFlags = buf.readUInt16BE(16);
  if ((handshakeFlags & NBD_FLAG_FIXED_NEWSTYLE) === 0) throw new NbdProtocolError('server greeting: the server does not speak fixed newstyle');
  return { handshakeFlags };
}

/** The client flags answering the greeting: fixed newstyle, and no zeroes when the server allows. */
export function encodeClientFlags(handshakeFlags: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(NBD_FLAG_C_FIXED_NEWSTYLE | (handshakeFlags & NBD_FLAG_NO_ZEROES ? NBD_FLAG_C_NO_ZEROES : 0));
  return b;
}

function encodeOption(option: number, data: Buffer): Buffer {
  const b = Buffer.alloc(16 + data.length);
  b.writeBigUInt64BE(NBD_IHAVEOPT, 0);
  b.writeUInt32BE(option, 8);
  b.writeUInt32BE(data.length, 12);
  data.copy(b, 16);
  return b;
}

/** NBD_OPT_GO for export `name`, asking for no extra information (NBD_INFO_EXPORT always comes). */
export function encodeOptGo(name: string): Buffer {
  const n = Buffer.from(name, 'utf8');
  const data = Buffer.alloc(4 + n.length + 2);
  data.writeUInt32BE(n.length, 0);
  n.copy(data, 4);
  data.writeUInt16BE(0, 4 + n.length);
  return encodeOption(NBD_OPT_GO, data);
}

export function encodeOptExportName(name: string): Buffer {
  return encodeOption(NBD_OPT_EXPORT_NAME, Buffer.from(name, 'utf8'));
}

export interface OptReplyHeader {
  option: number;
  type: number;
  length: number;
}

export function parseOptReplyHeader(buf: Buffer): OptReplyHeader {
  need(buf, OPT_REPLY_HEADER_BYTES, 'option reply');
  if (buf.readBigUInt64BE(0) !== NBD_OPT_REPLY_MAGIC) throw new NbdProtocolError('option reply: bad magic');
  return { option: buf.readUInt32BE(8), type: buf.readUInt32BE(12), length: buf.readUInt32BE(16) };
}

export interface ExportInfo {
  sizeBytes: number;
  transmissionFlags: number;
}

/** An NBD_REP_INFO payload; undefined for info types other than NBD_INFO_EXPORT. */
export function parseInfoReply(data: Buffer): ExportInfo | undefined {
  need(data, 2, 'info reply');
  if (data.readUInt16BE(0) !== NBD_INFO_EXPORT) return undefined;
  need(data, 12, 'export info');
  return { sizeBytes: Number(data.readBigUInt64BE(2)), transmissionFlags: data.readUInt16BE(10) };
}

/** The answer to NBD_OPT_EXPORT_NAME (size and flags; the zeroes after it are the caller's to skip). */
export function parseExportNameReply(buf: Buffer): ExportInfo {
  need(buf, EXPORT_NAME_REPLY_BYTES, 'export name reply');
  return { sizeBytes: Number(buf.readBigUInt64BE(0)), transmissionFlags: buf.readUInt16BE(8) };
}

/** An option reply of the error kind, in words (its payload may carry the server's message). */
export function describeOptError(h: OptReplyHeader, data: Buffer): string {
  const text = data
    .toString('utf8')
    .replace(/[^\x20-\x7e]/g, '')
    .trim();
  return `the NBD server refused option ${h.option} (reply type 0x${h.type.toString(16)})${text ? `: ${text}` : ''}`;
}

export interface NbdRequest {
  command: NbdCommand;
  handle: bigint;
  offset: number;
  length: number;
  fua?: boolean;
  /** The payload of a write (its length is `length`). */
  data?: Buffer;
}

export function encodeRequest(r: NbdRequest): Buffer {
  if (r.command === 'write' && (r.data === undefined || r.data.length !== r.length)) {
    throw new NbdProtocolError(`write request: ${r.data?.length ?? 0} bytes of data for a length of ${r.length}`);
  }
  const payload = r.command === 'write' ? (r.data as Buffer) : Buffer.alloc(0);
  const b = Buffer.alloc(REQUEST_HEADER_BYTES + payload.length);
  b.writeUInt32BE(NBD_REQUEST_MAGIC, 0);
  b.writeUInt16BE(r.fua ? NBD_CMD_FLAG_FUA : 0, 4);
  b.writeUInt16BE(NBD_CMD[r.command], 6);
  b.writeBigUInt64BE(r.handle, 8);
  b.writeBigUInt64BE(BigInt(r.offset), 16);
  b.writeUInt32BE(r.length, 24);
  payload.copy(b, REQUEST_HEADER_BYTES);
  return b;
}

export interface SimpleReply {
  error: number;
  handle: bigint;
}

/** A reply header; a read's data (its length is the request's) follows a reply without error. */
export function parseSimpleReply(buf: Buffer): SimpleReply {
  need(buf, SIMPLE_REPLY_BYTES, 'reply');
  const magic = buf.readUInt32BE(0);
  if (magic === NBD_STRUCTURED_REPLY_MAGIC) throw new NbdProtocolError('reply: a structured reply, which was not negotiated');
  if (magic !== NBD_SIMPLE_REPLY_MAGIC) throw new NbdProtocolError(`reply: bad magic 0x${magic.toString(16)}`);
  return { error: buf.readUInt32BE(4), handle: buf.readBigUInt64BE(8) };
}
