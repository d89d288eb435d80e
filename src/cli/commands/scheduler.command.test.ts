// `grappe scheduler …` and `grappe guest create --explain` in-process, against a real controller
// whose hosts have no agents (placement reads records only).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';
import { seedGuest, seedHost } from '../../../test/support/seed-cluster.ts';
import { schedule } from '../../core/scheduler/schedule.ts';
import { runCli } from '../run-cli.ts';
import { fakeRuntime } from '../../../test/support/fake-runtime.ts';
import { buildSchedulerUpdate } from './scheduler.command.ts';
import { createdMessage } from './guest.command.ts';

describe('grappe scheduler and guest create --explain', () => {
  let h: ControllerHarness;
  let env: Record<string, string>;
  let configDir: string;
  before(async () => {
    h = await startControllerHarness({ monitorIntervalMs: 60_000 });
    const token = String((await h.api('POST', '/api/v1/auth/login', { username: 'admin', password: 'harness-admin-password' })).body.token);
    configDir = await mkdtemp(join(tmpdir(), 'grappe-cli-sched-'));
    env = { GRAPPE_URL: h.controller.url, GRAPPE_TOKEN: token, GRAPPE_DATA_DIR: h.dataDir, GRAPPE_CONFIG: join(configDir, 'cli.json') };
    const ctx = h.controller.ctx;
    const busy = await seedHost(ctx, { name: 'busy', cpus: 4, memoryMiB: 4096 });
    await seedHost(ctx, { name: 'idle', cpus: 4, memoryMiB: 4096 });
    await seedHost(ctx, { name: 'down', cpus: 4, memoryMiB: 4096, state: 'MAINT' });
    await seedGuest(ctx, 500, busy.id, { memoryMiB: 3072 });
  });
  after(async () => {
    await h.close();
    await rm(configDir, { recursive: true, force: true });
  });

  const grappe = async (...argv: string[]) => {
    const rt = fakeRuntime({ env });
    const code = await runCli(argv, rt);
    return { code, out: rt.stdout.text(), err: rt.stderr.text() };
  };

  test('show, set, and a bad ratio refused by the controller naming the field', async () => {
    const shown = await grappe('scheduler', 'show');
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /Policy: +spread/);
    assert.match(shown.out, /CPU over-commit: +4×/);
    const set = await grappe('scheduler', 'set', '--policy', 'pack', '--memory-ratio', '1.5');
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /Policy: +pack \(the fullest host that still fits\)/);
    assert.match(set.out, /Memory over-commit: +1\.5×/);
    const bad = await grappe('scheduler', 'set', '--cpu-ratio', '0');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^error: invalid input: body\.cpuRatio: must be above 0/);
    const json = await grappe('scheduler', 'show', '--json');
    assert.deepEqual(JSON.parse(json.out), { policy: 'pack', cpuRatio: 4, memoryRatio: 1.5 });
    assert.equal((await grappe('scheduler', 'set', '--cpu-ratio', 'lots')).code, 2);
    assert.throws(() => buildSchedulerUpdate({}), /nothing to set/);
    assert.equal((await grappe('scheduler', 'set', '--policy', 'spread', '--memory-ratio', '1')).code, 0);
  });

  test('--explain on a refused create prints every host with its reason, then the error', async () => {
    const r = await grappe('guest', 'create', '--kind', 'ct', '--name', 'big', '--memory', '5000', '--explain');
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /^error: cannot place guest 'big': it asks for 1 vCPU\(s\) and 5000 MiB, and the largest that fits on any UP processing host is 4 vCPU\(s\) and 4096 MiB \(host 'idle'\)/,
    );
    assert.match(r.out, /Winner: +none/);
    assert.match(r.out, /^busy +rejected \(memory\) +- +- +- +needs 5000 MiB, 1024 MiB free under ratio 1\.0$/m);
    assert.match(r.out, /^idle +rejected \(memory\) /m);
    assert.match(r.out, /^down +rejected \(state\) .*maintenance/m);
  });

  test('a create that is placed logs the decision while its task runs (here it then fails at the absent agent)', async () => {
    const r = await grappe('guest', 'create', '--kind', 'ct', '--name', 'small', '--memory', '512');
    assert.equal(r.code, 1);
    assert.match(r.err, /^winner: idle$/m);
    assert.match(r.err, /^passed \(2\):\n +idle +score 0\.\d{3} .*\n +busy +score 0\.\d{3} /m);
    assert.match(r.err, /^ +down: it is MAINT/m);
    assert.match(r.err, /^error: host 'idle' at .* is unreachable/m);
  });

  test('--explain after a create prints the decision before the usual sentence', async () => {
    const decision = schedule(
      [
        {
          id: 2,
          name: 'idle',
          purpose: 'processing',
          state: 'UP',
          cpuTotal: 4,
          memoryMiBTotal: 4096,
          cpuAllocated: 0,
          memoryMiBAllocated: 0,
          pools: [],
          networks: [],
        },
      ],
      { guest: "guest 'c1'", vcpus: 1, memoryMiB: 256 },
    );
    const result = {
      id: 'ct:100',
      kind: 'ct',
      number: 100,
      name: 'c1',
      vcpus: 1,
      memoryMiB: 256,
      host: { id: 2, name: 'idle' },
      disks: [],
      template: 'busybox',
      nics: [],
      cdrom: null,
      autostart: false,
      state: 'stopped',
      accel: null,
      live: true,
      stateChangedAt: null,
      createdAt: '2026-11-23T00:00:00.000Z',
      placement: decision,
    };
    const text = createdMessage(result, 'c1', true, false);
    assert.match(text, /^ +Placing: +guest 'c1'/);
    assert.match(text, /^idle +winner +0\.\d{3}/m);
    assert.match(text, /\nGuest ct:100 \(c1\) created on host 'idle'; start it with: grappe guest start ct:100$/);
    assert.equal(createdMessage(result, 'c1', false, false), "Guest ct:100 (c1) created on host 'idle'; start it with: grappe guest start ct:100");
  });
});
