// The QMP client against a real QEMU (paused, no guest: only the monitor matters here).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentError } from '../agent-error.ts';
import { parseQmpLines, QmpClient, withQmp } from './qmp-client.ts';
import { sleep } from './process-probe.ts';
import { shortTempDir, skipUnless } from '../../../test/support/guest-test-env.ts';

test('QMP lines: whole messages are parsed, the unfinished tail is kept', () => {
  const { messages, rest } = parseQmpLines('{"return": {}, "id": "a"}\n\n{"event": "STOP"}\n{"ret');
  assert.deepEqual(messages, [{ return: {}, id: 'a' }, { event: 'STOP' }]);
  assert.equal(rest, '{"ret');
  assert.deepEqual(parseQmpLines('not json\n').messages, [{ unparsable: 'not json' }]);
});

test('connecting to a socket nobody serves fails with a clear error', async () => {
  await assert.rejects(
    QmpClient.connect('/nonexistent/qmp.sock', 1000),
    (e: unknown) => e instanceof AgentError && e.code === 'qmpUnreachable' && /nonexistent/.test(e.message),
  );
});

describe('QmpClient with a real QEMU', { skip: skipUnless('qemu-system-x86_64') }, () => {
  let dir: string;
  let sock: string;
  let qemu: ChildProcess;

  before(async () => {
    dir = await shortTempDir('grqmp-');
    sock = join(dir, 'qmp.sock');
    qemu = spawn('qemu-system-x86_64', ['-accel', 'tcg', '-S', '-nodefaults', '-display', 'none', '-m', '32', '-qmp', `unix:${sock},server=on,wait=off`], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      if (
        await QmpClient.connect(sock, 500).then(
          (c) => {
            c.close();
            return true;
          },
          () => false,
        )
      )
        break;
      await sleep(100);
    }
  });

  after(async () => {
    qemu.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  test("greeting, commands with answers, QEMU's own errors, events", async () => {
    const qmp = await QmpClient.connect(sock);
    try {
      assert.equal(qmp.greeting?.version.qemu.major !== undefined, true);
      assert.deepEqual(await qmp.execute('query-status'), { status: 'prelaunch', singlestep: false, running: false });
      await assert.rejects(
        qmp.execute('no-such-command'),
        (e: unknown) => e instanceof AgentError && e.code === 'qmpCommandFailed' && /no-such-command/.test(e.message) && /CommandNotFound/.test(e.message),
      );
      await assert.rejects(qmp.execute('human-monitor-command', { bogus: 1 }), (e: unknown) => e instanceof AgentError && e.code === 'qmpCommandFailed');
      // Concurrent commands are matched to their answers by id.
      const [a, b] = await Promise.all([qmp.execute<{ status: string }>('query-status'), qmp.execute<{ enabled: boolean }>('query-kvm')]);
      assert.equal(a.status, 'prelaunch');
      assert.equal(b.enabled, false);
      const resumed = qmp.waitForEvent('RESUME', 5000);
      await qmp.execute('cont');
      assert.equal((await resumed).event, 'RESUME');
      const stopped = qmp.waitForEvent('STOP', 5000);
      await qmp.execute('stop');
      assert.ok((await stopped).timestamp.seconds > 0);
      await assert.rejects(qmp.waitForEvent('NEVER', 50), (e: unknown) => e instanceof AgentError && e.code === 'qmpTimeout');
    } finally {
      qmp.close();
    }
    await assert.rejects(qmp.execute('query-status'), (e: unknown) => e instanceof AgentError && e.code === 'qmpClosed');
  });

  test('a dozen simultaneous users of one socket all get their answer (QEMU alone would refuse all but two with EAGAIN)', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => withQmp(sock, (q) => q.execute<{ status: string }>('query-status'), 5000)));
    assert.equal(answers.length, 12);
    assert.ok(answers.every((a) => a.status === 'paused')); // stopped by the test before
  });

  test('a connection held open makes the next caller wait, then fail clearly at its timeout', async () => {
    const held = await QmpClient.connect(sock);
    try {
      await assert.rejects(
        withQmp(sock, (q) => q.execute('query-status'), 200),
        (e: unknown) => e instanceof AgentError && e.code === 'qmpTimeout' && /busy/.test(e.message),
      );
    } finally {
      held.close();
    }
    assert.equal((await withQmp(sock, (q) => q.execute<{ status: string }>('query-status'), 2000)).status, 'paused');
  });

  test('quit: QEMU closing the socket as it exits is the answer, and pending callers learn it closed', async () => {
    const exited = new Promise((resolve) => qemu.once('exit', resolve));
    await withQmp(sock, async (q) => {
      const closed = new Promise<void>((resolve) => q.once('close', resolve));
      await q.execute('quit');
      await closed;
      assert.equal(q.isClosed, true);
    });
    await exited;
  });
});
