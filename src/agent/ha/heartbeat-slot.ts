// One host's slot on the heartbeat volume (HA_SLOT_BYTES at offset slot × HA_SLOT_BYTES; slot 0 is
// the pool's metadata, host id N writes slot N+1). Pure encode/decode, versioned, with a CRC32 so a
// torn or foreign block is never read as a heartbeat.
//
// Layout v1 (big endian), the rest of the slot is zero:
//   0 magic 'GRHB' u32 · 4 version u16 · 6 flags u16 (leaseOk, armed, selfFenced) · 8 hostId u32
//   12 intervalMs u32 · 16 seq u64 · 24 selfFencedSeq u64 (0: none) · 32 writtenAt u64 (epoch ms,
//   for logs only: readers judge liveness by change on their own clock) · 40 crc32 of bytes 0..39
import { crc32 } from 'node:zlib';
import { HA_SLOT_BYTES } from '../../contract/ha-agent.contract.ts';

export const SLOT_MAGIC = 0x47524842;
export const SLOT_VERSION = 1;
const CRC_AT = 40;
/** The bytes of a slot that carry content (a change of any of them is a sign of life). */
export const SLOT_CONTENT_BYTES = CRC_AT + 4;

const FLAG_LEASE_OK = 1 << 0;
const FLAG_ARMED = 1 << 1;
const FLAG_SELF_FENCED = 1 << 2;

export interface SlotRecord {
  hostId: number;
  /** Bumped on every write by the owner. */
  seq: number;
  /** How often the owner writes. */
  intervalMs: number;
  /** The owner's controller lease is fresh. */
  leaseOk: boolean;
  /** HA is armed on the owner. */
  armed: boolean;
  /** The seq of the write that first carried the self-fence mark; absent: not self-fenced. */
  selfFencedSeq?: number;
  writtenAt: number;
}

export type SlotDecode = { ok: true; record: SlotRecord } | { ok: false; reason: 'empty' | 'magic' | 'version' | 'checksum' };

export const slotOffset = (slot: number): number => slot * HA_SLOT_BYTES;

export function encodeSlot(r: SlotRecord): Buffer {
  const b = Buffer.alloc(HA_SLOT_BYTES);
  b.writeUInt32BE(SLOT_MAGIC, 0);
  b.writeUInt16BE(SLOT_VERSION, 4);
  b.writeUInt16BE((r.leaseOk ? FLAG_LEASE_OK : 0) | (r.armed ? FLAG_ARMED : 0) | (r.selfFencedSeq !== undefined ? FLAG_SELF_FENCED : 0), 6);
  b.writeUInt32BE(r.hostId, 8);
  b.writeUInt32BE(r.intervalMs, 12);
  b.writeBigUInt64BE(BigInt(r.seq), 16);
  b.writeBigUInt64BE(BigInt(r.selfFencedSeq ?? 0), 24);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(r.writtenAt))), 32);
  b.writeUInt32BE(crc32(b.subarray(0, CRC_AT)), CRC_AT);
  return b;
}

export function decodeSlot(b: Buffer): SlotDecode {
  if (b.length < SLOT_CONTENT_BYTES || b.subarray(0, SLOT_CONTENT_BYTES).every((x) => x === 0)) return { ok: false, reason: 'empty' };
  if (b.readUInt32BE(0) !== SLOT_MAGIC) return { ok: false, reason: 'magic' };
  if (b.readUInt16BE(4) !== SLOT_VERSION) return { ok: false, reason: 'version' };
  if (b.readUInt32BE(CRC_AT) !== crc32(b.subarray(0, CRC_AT))) return { ok: false, reason: 'checksum' };
  const flags = b.readUInt16BE(6);
  const selfFencedSeq = Number(b.readBigUInt64BE(24));
  return {
    ok: true,
    record: {
      hostId: b.readUInt32BE(8),
      intervalMs: b.readUInt32BE(12),
      seq: Number(b.readBigUInt64BE(16)),
      leaseOk: (flags & FLAG_LEASE_OK) !== 0,
      armed: (flags & FLAG_ARMED) !== 0,
      ...(flags & FLAG_SELF_FENCED ? { selfFencedSeq } : {}),
      writtenAt: Number(b.readBigUInt64BE(32)),
    },
  };
}
