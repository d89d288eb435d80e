import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AgentError } from '../agent-error.ts';
import { DETACH_BYTE, Scrollback, SerialConsole, splitAtDetach } from './serial-console.ts';

test('Ctrl+] splits viewer input: bytes before it reach the guest, the viewer leaves', () => {
  assert.deepEqual(splitAtDetach(Buffer.from('ls\r')), { toGuest: Buffer.from('ls\r'), detach: false });
  const r = splitAtDetach(Buffer.from([0x61, DETACH_BYTE, 0x62]));
  assert.deepEqual([...r.toGuest], [0x61]);
  assert.equal(r.detach, true);
});

test('scrollback keeps the last bytes, starting at a whole line', () => {
  const sb = new Scrollback(20);
  for (let i = 1; i <= 10; i++) sb.push(Buffer.from(`line ${i}\n`));
  assert.equal(sb.contents().toString(), 'line 9\nline 10\n');
  const small = new Scrollback(100);
  small.push(Buffer.from('a\nb'));
  assert.equal(small.contents().toString(), 'a\nb');
});

// The guest side is a plain unix socket server here, standing in for QEMU's chardev.
test('one guest connection fans out to several viewers; late viewers get history; input flows back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'grappe-con-'));
  const path = join(dir, 'serial.sock');
  let guest: Socket | undefined;
  const typed: string[] = [];
  const server = createServer((s) => {
    guest = s;
    s.on('data', (d) => typed.push(d.toString()));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  await writeFile(join(dir, 'serial.log'), 'old line\n');
  try {
    const con = new SerialConsole({ socketPath: path, logPath: join(dir, 'serial.log') });
    await con.open();
    const seen = ['', ''];
    const ends: string[] = [];
    const v0 = con.attach({
      output: (b) => {
        seen[0] += b.toString();
      },
      closed: (why) => ends.push(`0:${why}`),
    });
    assert.equal(seen[0], 'old line\n', 'history from the log comes first');
    while (!guest) await new Promise((r) => setTimeout(r, 5));
    const got = new Promise((resolve) => con.once('output', resolve));
    guest.write('tick 1\n');
    await got;
    con.attach({
      output: (b) => {
        seen[1] += b.toString();
      },
      closed: (why) => ends.push(`1:${why}`),
    });
    assert.equal(seen[0], 'old line\ntick 1\n');
    assert.equal(seen[1], 'old line\ntick 1\n', 'a late viewer sees the scrollback');
    v0.input(Buffer.from('help\r'));
    v0.input(Buffer.from([DETACH_BYTE]));
    assert.deepEqual(ends, ['0:detached']);
    assert.equal(con.viewerCount, 1);
    while (typed.join('') !== 'help\r') await new Promise((r) => setTimeout(r, 5));
    const ended = new Promise<void>((resolve) => con.once('end', () => resolve()));
    guest.destroy();
    await ended;
    assert.deepEqual(ends, ['0:detached', '1:guestGone']);
    assert.throws(
      () => con.attach({ output: () => undefined, closed: () => undefined }),
      (e: unknown) => e instanceof AgentError && e.code === 'consoleNotOpen',
    );
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('opening a console nobody serves fails with a clear error', async () => {
  await assert.rejects(
    new SerialConsole({ socketPath: '/nonexistent/serial.sock' }).open(),
    (e: unknown) => e instanceof AgentError && /nonexistent/.test(e.message),
  );
});
