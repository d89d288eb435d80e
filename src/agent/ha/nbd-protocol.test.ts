import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeClientFlags,
  encodeOptExportName,
  encodeOptGo,
  encodeRequest,
  NBD_FLAG_FIXED_NEWSTYLE,
  NBD_FLAG_NO_ZEROES,
  NBD_IHAVEOPT,
  NBD_MAGIC,
  NBD_OPT_EXPORT_NAME,
  NBD_OPT_GO,
  NBD_OPT_REPLY_MAGIC,
  NBD_REQUEST_MAGIC,
  NBD_SIMPLE_REPLY_MAGIC,
  NBD_STRUCTURED_REPLY_MAGIC,
  NbdProtocolError,
  nbdErrorName,
  parseExportNameReply,
  parseGreeting,
  parseInfoReply,
  parseOptReplyHeader,
  parseSimpleReply,
} from './nbd-protocol.ts';

const greeting = (flags: number, magic = NBD_MAGIC, opt = NBD_IHAVEOPT): Buffer => {
  const b = Buffer.alloc(18);
  b.writeBigUInt64BE(magic, 0);
  b.writeBigUInt64BE(opt, 8);
  b.writeUInt16BE(flags, 16);
  return b;
};

test('the greeting: fixed newstyle accepted, oldstyle, non-fixed and non-NBD refused', () => {
  assert.deepEqual(parseGreeting(greeting(NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES)), { handshakeFlags: 3 });
  assert.throws(() => parseGreeting(greeting(0)), /fixed newstyle/);
  assert.throws(() => parseGreeting(greeting(1, NBD_MAGIC, 0x00420281861253n)), /oldstyle/);
  assert.throws(() => parseGreeting(greeting(1, 1n)), /not an NBD server/);
  assert.throws(() => parseGreeting(Buffer.alloc(4)), NbdProtocolError);
});

test('client flags ask for no zeroes only when the server offers it', () => {
  assert.equal(encodeClientFlags(NBD_FLAG_FIXED_NEWSTYLE).readUInt32BE(0), 1);
  assert.equal(encodeClientFlags(NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES).readUInt32BE(0), 3);
});

test('NBD_OPT_GO and EXPORT_NAME carry the export name', () => {
  const go = encodeOptGo('hb');
  assert.equal(go.readBigUInt64BE(0), NBD_IHAVEOPT);
  assert.equal(go.readUInt32BE(8), NBD_OPT_GO);
  assert.equal(go.readUInt32BE(12), 4 + 2 + 2);
  assert.equal(go.readUInt32BE(16), 2);
  assert.equal(go.subarray(20, 22).toString(), 'hb');
  assert.equal(go.readUInt16BE(22), 0, 'no info requests');
  const ex = encodeOptExportName('hb');
  assert.equal(ex.readUInt32BE(8), NBD_OPT_EXPORT_NAME);
  assert.equal(ex.readUInt32BE(12), 2);
  assert.equal(ex.subarray(16).toString(), 'hb');
});

test('option replies and the export information', () => {
  const h = Buffer.alloc(20);
  h.writeBigUInt64BE(NBD_OPT_REPLY_MAGIC, 0);
  h.writeUInt32BE(NBD_OPT_GO, 8);
  h.writeUInt32BE(3, 12);
  h.writeUInt32BE(12, 16);
  assert.deepEqual(parseOptReplyHeader(h), { option: NBD_OPT_GO, type: 3, length: 12 });
  h.writeBigUInt64BE(1n, 0);
  assert.throws(() => parseOptReplyHeader(h), /bad magic/);
  const info = Buffer.alloc(12);
  info.writeUInt16BE(0, 0);
  info.writeBigUInt64BE(373293056n, 2);
  info.writeUInt16BE(0b1101, 10);
  assert.deepEqual(parseInfoReply(info), { sizeBytes: 373293056, transmissionFlags: 13 });
  info.writeUInt16BE(3, 0);
  assert.equal(parseInfoReply(info), undefined, 'another info type is skipped');
  const old = Buffer.alloc(10);
  old.writeBigUInt64BE(4096n, 0);
  old.writeUInt16BE(5, 8);
  assert.deepEqual(parseExportNameReply(old), { sizeBytes: 4096, transmissionFlags: 5 });
});

test('requests: 28-byte header, the payload after a write, FUA as a command flag', () => {
  const read = encodeRequest({ command: 'read', handle: 7n, offset: 8192, length: 4096 });
  assert.equal(read.length, 28);
  assert.equal(read.readUInt32BE(0), NBD_REQUEST_MAGIC);
  assert.equal(read.readUInt16BE(4), 0);
  assert.equal(read.readUInt16BE(6), 0);
  assert.equal(read.readBigUInt64BE(8), 7n);
  assert.equal(read.readBigUInt64BE(16), 8192n);
  assert.equal(read.readUInt32BE(24), 4096);
  const data = Buffer.from('abcd');
  const write = encodeRequest({ command: 'write', handle: 8n, offset: 4096, length: 4, fua: true, data });
  assert.equal(write.length, 32);
  assert.equal(write.readUInt16BE(4), 1, 'FUA');
  assert.equal(write.readUInt16BE(6), 1, 'NBD_CMD_WRITE');
  assert.equal(write.subarray(28).toString(), 'abcd');
  assert.equal(encodeRequest({ command: 'flush', handle: 9n, offset: 0, length: 0 }).readUInt16BE(6), 3);
  assert.throws(() => encodeRequest({ command: 'write', handle: 1n, offset: 0, length: 8, data }), /4 bytes of data for a length of 8/);
});

test('simple replies; a structured reply (never negotiated) is refused', () => {
  const r = Buffer.alloc(16);
  r.writeUInt32BE(NBD_SIMPLE_REPLY_MAGIC, 0);
  r.writeUInt32BE(5, 4);
  r.writeBigUInt64BE(42n, 8);
  assert.deepEqual(parseSimpleReply(r), { error: 5, handle: 42n });
  assert.equal(nbdErrorName(5), 'EIO');
  assert.equal(nbdErrorName(77), 'error 77');
  r.writeUInt32BE(NBD_STRUCTURED_REPLY_MAGIC, 0);
  assert.throws(() => parseSimpleReply(r), /structured/);
});
