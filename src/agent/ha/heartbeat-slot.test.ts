import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HA_SLOT_BYTES } from '../../contract/ha-agent.contract.ts';
import { decodeSlot, encodeSlot, slotOffset, type SlotRecord } from './heartbeat-slot.ts';

const rec: SlotRecord = { hostId: 3, seq: 12345, intervalMs: 500, leaseOk: true, armed: true, writtenAt: 1_790_000_000_000 };

test('a slot round-trips, flags and self-fence mark included', () => {
  const b = encodeSlot(rec);
  assert.equal(b.length, HA_SLOT_BYTES);
  assert.deepEqual(decodeSlot(b), { ok: true, record: rec });
  const fenced = { ...rec, leaseOk: false, armed: false, selfFencedSeq: 12340 };
  assert.deepEqual(decodeSlot(encodeSlot(fenced)), { ok: true, record: fenced });
  assert.equal(slotOffset(4), 4 * HA_SLOT_BYTES);
});

test('empty, foreign, other-version and torn slots are not heartbeats', () => {
  assert.deepEqual(decodeSlot(Buffer.alloc(HA_SLOT_BYTES)), { ok: false, reason: 'empty' });
  const foreign = encodeSlot(rec);
  foreign.write('XXXX', 0);
  assert.deepEqual(decodeSlot(foreign), { ok: false, reason: 'magic' });
  const v2 = encodeSlot(rec);
  v2.writeUInt16BE(2, 4);
  assert.deepEqual(decodeSlot(v2), { ok: false, reason: 'version' });
  const torn = encodeSlot(rec);
  torn[20] = (torn[20] ?? 0) ^ 0xff;
  assert.deepEqual(decodeSlot(torn), { ok: false, reason: 'checksum' });
});
