// The NBD client against small in-process servers on a unix socket: an old server without GO
// (EXPORT_NAME with its zero padding), a server that refuses the export, one that stops answering.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { NbdClient } from './nbd-client.ts';
import {
  NBD_FLAG_FIXED_NEWSTYLE,
  NBD_IHAVEOPT,
  NBD_MAGIC,
  NBD_OPT_EXPORT_NAME,
  NBD_OPT_REPLY_MAGIC,
  NBD_REP_ERR_UNSUP,
  NBD_REQUEST_MAGIC,
  NBD_SIMPLE_REPLY_MAGIC,
  NBD_TFLAG_HAS_FLAGS,
  NBD_TFLAG_SEND_FLUSH,
} from './nbd-protocol.ts';

type Behaviour = 'serve' | 'refuse' | 'silent' | 'slowData';

/** An old-style fixed-newstyle server: GO unsupported, EXPORT_NAME with 124 zero bytes, flush but no FUA. */
function oldServer(disk: Buffer, behaviour: Behaviour, seen: number[]): (s: Socket) => void {
  return (s) => {
    let buf = Buffer.alloc(0);
    let phase: 'flags' | 'options' | 'transmission' = 'flags';
    const greeting = Buffer.alloc(18);
    greeting.writeBigUInt64BE(NBD_MAGIC, 0);
    greeting.writeBigUInt64BE(NBD_IHAVEOPT, 8);
    greeting.writeUInt16BE(NBD_FLAG_FIXED_NEWSTYLE, 16);
    s.write(greeting);
    s.on('error', () => undefined);
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      for (;;) {
        if (phase === 'flags') {
          if (buf.length < 4) return;
          buf = buf.subarray(4);
          phase = 'options';
        } else if (phase === 'options') {
          if (buf.length < 16) return;
          const option = buf.readUInt32BE(8);
          const len = buf.readUInt32BE(12);
          if (buf.length < 16 + len) return;
          buf = buf.subarray(16 + len);
          if (option === NBD_OPT_EXPORT_NAME) {
            if (behaviour === 'refuse') return void s.destroy();
            const r = Buffer.alloc(10 + 124);
            r.writeBigUInt64BE(BigInt(disk.length), 0);
            r.writeUInt16BE(NBD_TFLAG_HAS_FLAGS | NBD_TFLAG_SEND_FLUSH, 8);
            s.write(r);
            phase = 'transmission';
          } else {
            const r = Buffer.alloc(20);
            r.writeBigUInt64BE(NBD_OPT_REPLY_MAGIC, 0);
            r.writeUInt32BE(option, 8);
            r.writeUInt32BE(NBD_REP_ERR_UNSUP, 12);
            s.write(r);
          }
        } else {
          if (buf.length < 28) return;
          assert.equal(buf.readUInt32BE(0), NBD_REQUEST_MAGIC);
          const type = buf.readUInt16BE(6);
          const handle = buf.readBigUInt64BE(8);
          const offset = Number(buf.readBigUInt64BE(16));
          const length = buf.readUInt32BE(24);
          const payload = type === 1 ? length : 0;
          if (buf.length < 28 + payload) return;
          if (type === 1) buf.copy(disk, offset, 28, 28 + length);
          buf = buf.subarray(28 + payload);
          seen.push(type);
          if (behaviour === 'silent') continue;
          const reply = Buffer.alloc(16);
          reply.writeUInt32BE(NBD_SIMPLE_REPLY_MAGIC, 0);
          reply.writeBigUInt64BE(handle, 8);
          if (behaviour === 'slowData' && type === 0) {
            s.write(reply);
            setTimeout(() => s.writable && s.write(disk.subarray(offset, offset + length)), 300);
          } else s.write(type === 0 ? Buffer.concat([reply, disk.subarray(offset, offset + length)]) : reply);
        }
      }
    });
  };
}

let dir: string;
const servers: Server[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gnbd-'));
});
after(async () => {
  for (const s of servers) s.close();
  await rm(dir, { recursive: true, force: true });
});

async function serve(name: string, disk: Buffer, behaviour: Behaviour, seen: number[] = []): Promise<string> {
  const path = join(dir, name);
  const server = createServer(oldServer(disk, behaviour, seen));
  servers.push(server);
  await new Promise<void>((r) => server.listen(path, r));
  return path;
}

test('a server without GO: EXPORT_NAME, then reads and durable writes (write + flush when there is no FUA)', async () => {
  const disk = Buffer.alloc(64 * 1024);
  const seen: number[] = [];
  const c = await NbdClient.connect(await serve('old.sock', disk, 'serve', seen), 'hb', 2_000);
  try {
    assert.equal(c.info.sizeBytes, disk.length);
    await c.writeDurable(4096, Buffer.from('hello'), 2_000);
    assert.equal(disk.subarray(4096, 4101).toString(), 'hello');
    assert.deepEqual(seen, [1, 3], 'a write then a flush');
    const [a, b] = await Promise.all([c.read(4096, 5, 2_000), c.read(0, 4, 2_000)]);
    assert.equal(a.toString(), 'hello');
    assert.deepEqual([...b], [0, 0, 0, 0]);
  } finally {
    c.close();
  }
});

test('an export the server refuses fails the connect', async () => {
  await assert.rejects(NbdClient.connect(await serve('refuse.sock', Buffer.alloc(4096), 'refuse'), 'hb', 2_000), /closed the connection/);
});

test('a request without an answer in time fails it and closes the connection', async () => {
  const c = await NbdClient.connect(await serve('silent.sock', Buffer.alloc(4096), 'silent'), 'hb', 2_000);
  await assert.rejects(c.read(0, 512, 100), /no answer within 100 ms/);
  assert.equal(c.closed, true);
  await assert.rejects(c.read(0, 512, 100), /no answer within 100 ms/, 'later requests fail at once with the same reason');
});

test('a read whose data does not follow its reply header in time fails too (it never hangs)', async () => {
  const c = await NbdClient.connect(await serve('slow.sock', Buffer.alloc(4096), 'slowData'), 'hb', 2_000);
  await assert.rejects(c.read(0, 512, 100), /no answer within 100 ms/);
  assert.equal(c.closed, true);
});
