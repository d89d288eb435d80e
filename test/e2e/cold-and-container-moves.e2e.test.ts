// Moves that are not live, end to end on real agents in network namespaces (1 storage + 2 processing
// hosts): a running container moves by stop, copy, start and runs on the other host; a stopped VM on
// iSCSI moves cold and starts there; a stopped VM with a local disk moves with its disk byte for byte;
// failures (the destination cannot start the container; the destination's pool already has the disk)
// leave the guest where it was, as it was, and nothing on the destination. Guests are made through
// `grappe` commands; the moves run through the controller's moveGuest in this process.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GuestView } from '../../src/contract/guest.contract.ts';
import type { HostSummary } from '../../src/contract/host.contract.ts';
import type { VolumeRecord } from '../../src/contract/storage.contract.ts';
import { isGrappeError } from '../../src/core/errors.ts';
import type { GuestClient } from '../../src/controller/agents/guest-client.ts';
import { guestsRuntime } from '../../src/controller/guests/guests-runtime.ts';
import { hostsRuntime } from '../../src/controller/hosts/hosts-runtime.ts';
import { moveCold } from '../../src/controller/migration/move-cold.ts';
import { moveGuest } from '../../src/controller/migration/move-guest.ts';
import type { MoveOutcome, MoveReporter } from '../../src/controller/migration/move-types.ts';
import { guestAgentFor } from '../../src/controller/storage/guest-agent-for.ts';
import { addHosts, agentDir, cliAssertions, sha256File, withE2ePool } from '../support/e2e-pool.ts';
import { eventually } from '../support/eventually.ts';

const isRoot = process.getuid?.() === 0;

/** A reporter that keeps the log and lets a test act at a given step (to inject a fault there). */
function recorder(onProgress?: (message: string) => void): MoveReporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    progress: (_f, message) => {
      lines.push(message);
      onProgress?.(message);
    },
    log: (line) => lines.push(line),
  };
}

test('cold and container moves between two processing hosts', { skip: !isRoot && 'needs root (network namespaces)' }, async (t) => {
  const hostSpecs = [
    { name: 'stor1', purpose: 'storage' as const },
    { name: 'proc1', purpose: 'processing' as const },
    { name: 'proc2', purpose: 'processing' as const },
  ];
  await withE2ePool('grappe-e2e-moves-', hostSpecs, async ({ cli, tb, controller }) => {
    const ctx = controller.ctx;
    const measured: Record<string, MoveOutcome> = {};

    const { ok } = cliAssertions(cli);
    const guest = (ref: string) => cli.json<GuestView>(['guest', 'show', ref]);
    const volume = (name: string) => cli.json<VolumeRecord>(['volume', 'show', name]);
    const host = async (name: string) => {
      const h = (await hostsRuntime(ctx)).cache.all().find((x) => x.name === name);
      assert.ok(h, `host ${name}`);
      return h;
    };
    const agent = async (name: string): Promise<GuestClient> => guestAgentFor(ctx, await host(name));
    const statusOn = async (name: string, id: string) => (await (await agent(name)).listGuests()).find((s) => s.id === id);
    const ctDir = (name: string, id: string): string => join(agentDir(tb, name), 'lxc', id.replace(':', '-'));
    const volumePath = async (name: string, vol: string) => (await (await agent(name)).listVolumes()).find((v) => v.name === vol)?.path;

    await t.test('cluster: 3 hosts, both processing hosts on the SAN, the tiny image', async () => {
      await addHosts(ok, tb, ['stor1', 'proc1', 'proc2']);
      await ok(['image', 'build', 'tiny']);
      for (const name of ['proc1', 'proc2']) {
        await eventually(
          `${name} storage green`,
          async () => ((await cli.json<HostSummary>(['host', 'show', name])).indicators.storage === 'green' ? true : undefined),
          60_000,
        );
      }
    });

    let ct = '';
    await t.test('a running container moves by stop, copy, start and runs on the other host', { timeout: 180_000 }, async () => {
      await ok(['guest', 'create', '--kind', 'ct', '--name', 'ct01', '--template', 'tiny-ct', '--memory', '64', '--host', 'proc1']);
      ct = (await guest('ct01')).id;
      await ok(['guest', 'start', ct]);
      // A file the container's files gain while it runs on proc1 must be there on proc2.
      const marker = `written on proc1 at ${Date.now()}\n`;
      writeFileSync(join(ctDir('proc1', ct), 'rootfs', 'moved-marker'), marker);

      const report = recorder();
      const out = await moveGuest(ctx, ct, 'proc2', { report });
      measured['restart'] = out;
      t.diagnostic(`restart move log: ${report.lines.join(' | ')}`);
      assert.equal(out.kind, 'restart');
      assert.deepEqual([out.from.name, out.to.name], ['proc1', 'proc2']);
      assert.ok(out.downtimeMs > 0 && out.downtimeMs <= out.totalMs, `downtime ${out.downtimeMs} ms within total ${out.totalMs} ms`);
      assert.ok((out.transferredBytes ?? 0) > 100_000, `rootfs bytes ${out.transferredBytes}`);

      const g = await guest(ct);
      assert.equal(g.host.name, 'proc2');
      assert.equal(g.state, 'running');
      assert.equal(g.live, true, 'proc2 reports it');
      assert.equal((await statusOn('proc2', ct))?.state, 'running');
      assert.equal(await statusOn('proc1', ct), undefined, 'gone from proc1');
      assert.ok(!existsSync(ctDir('proc1', ct)), 'its files are gone from proc1');
      assert.equal(readFileSync(join(ctDir('proc2', ct), 'rootfs', 'moved-marker'), 'utf8'), marker);
      // Its init ticks on its console on proc2: it really runs there.
      await eventually(
        'ticks on proc2',
        async () => (/grappe-tick \d+/.test(readFileSync(join(ctDir('proc2', ct), 'console.log'), 'utf8')) ? true : undefined),
        60_000,
      );
      const moved = (await ctx.events.recent(200)).find((e) => e.type === 'guest.moved' && e.subject === ct);
      assert.ok(moved, 'a guest.moved event');
    });

    await t.test('the destination cannot start the container: it runs on where it was, nothing is left behind', { timeout: 180_000 }, async () => {
      // Just before the start on proc1, its copy of the container gets a NIC link to a bridge that
      // does not exist: LXC refuses to start it after the stop and the copy.
      const report = recorder((message) => {
        if (message.startsWith(`starting ${ct}`)) appendFileSync(join(ctDir('proc1', ct), 'config'), 'lxc.net.0.link = gtb-nosuchbr\n');
      });
      const err = await moveGuest(ctx, ct, 'proc1', { report }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isGrappeError(err), `the move failed: ${String(err)}`);
      assert.match(err.message, /did not (start|reach RUNNING)/, "with LXC's refusal to start it on proc1");
      assert.ok(
        report.lines.some((l) => l.startsWith(`starting ${ct}`)),
        'it failed at the start on the destination, after the stop and copy',
      );
      const g = await guest(ct);
      assert.equal(g.host.name, 'proc2', 'the record still says proc2');
      assert.equal((await statusOn('proc2', ct))?.state, 'running', 'running again on proc2');
      assert.equal(await statusOn('proc1', ct), undefined, 'no definition left on proc1');
      assert.ok(!existsSync(ctDir('proc1', ct)), 'no container left on proc1');
      assert.equal(guestsRuntime(ctx).isBusy(ct), false, 'the guest is free for the next action');

      const back = await moveGuest(ctx, ct, 'proc1', {});
      assert.equal(back.to.name, 'proc1');
      assert.equal((await statusOn('proc1', ct))?.state, 'running', 'a clean move afterwards works');
      await ok(['guest', 'stop', ct, '--force']);
    });

    await t.test('a stopped container moves cold with its files', { timeout: 120_000 }, async () => {
      const out = await moveGuest(ctx, ct, 'proc2', {});
      assert.equal(out.kind, 'cold');
      assert.equal(out.downtimeMs, 0);
      assert.equal((await guest(ct)).host.name, 'proc2');
      assert.equal((await statusOn('proc2', ct))?.state, 'stopped');
      assert.ok(existsSync(join(ctDir('proc2', ct), 'rootfs', 'moved-marker')));
      assert.equal(await statusOn('proc1', ct), undefined);
    });

    await t.test('a stopped VM on iSCSI moves cold and starts on the other host', { timeout: 300_000 }, async () => {
      await ok(['volume', 'create', 'vm1-root', '--pool', 'iscsi-stor1', '--image', 'tiny']);
      await ok(['guest', 'create', '--name', 'vm1', '--memory', '128', '--disk', 'vm1-root', '--host', 'proc1']);
      const id = (await guest('vm1')).id;
      const out = await moveGuest(ctx, id, 'proc2', {});
      measured['cold-iscsi'] = out;
      assert.equal(out.kind, 'cold');
      assert.equal(out.downtimeMs, 0);
      assert.equal((await guest(id)).host.name, 'proc2');
      assert.equal((await statusOn('proc2', id))?.state, 'stopped');
      assert.equal(await statusOn('proc1', id), undefined);
      await ok(['guest', 'start', id]);
      const g = await guest(id);
      assert.deepEqual([g.host.name, g.state], ['proc2', 'running']);
      await ok(['guest', 'stop', id, '--force']);
    });

    // The dispatcher does not let a stopped VM's local disk move yet (move-blockers), so the cold
    // mover is called as the dispatcher would: with the guest claimed and the records from the store.
    const coldMove = async (ref: string, to: string): Promise<MoveOutcome> => {
      const rt = guestsRuntime(ctx);
      const g = (await rt.repo.find(ref)).record;
      const from = (await hostsRuntime(ctx)).cache.get(g.hostId)!;
      const release = rt.claim(g.id);
      try {
        return await moveCold(ctx, { guest: g, from, to: await host(to), maxDowntimeMs: 100, report: recorder() });
      } finally {
        release();
      }
    };

    let vm2 = '';
    let diskSha = '';
    await t.test('a stopped VM with a local disk moves with the disk byte for byte', { timeout: 300_000 }, async () => {
      await ok(['volume', 'create', 'local1', '--pool', 'local-proc1', '--image', 'tiny']);
      await ok(['guest', 'create', '--name', 'vm2', '--memory', '128', '--disk', 'local1', '--host', 'proc1']);
      vm2 = (await guest('vm2')).id;
      const src = await volumePath('proc1', 'local1');
      assert.ok(src);
      diskSha = await sha256File(src);
      const out = await coldMove(vm2, 'proc2');
      measured['cold-local'] = out;
      assert.equal(out.kind, 'cold');
      assert.ok((out.transferredBytes ?? 0) >= 1024 * 1024, `disk bytes ${out.transferredBytes}`);
      assert.equal((await guest(vm2)).host.name, 'proc2');
      const v = await volume('local1');
      assert.deepEqual([v.hostId, v.pool, v.attachedTo], [(await host('proc2')).id, 'local-proc2', vm2]);
      const dst = await volumePath('proc2', 'local1');
      assert.ok(dst, "the disk is in proc2's pool");
      assert.equal(await sha256File(dst), diskSha, 'same content');
      assert.equal(await volumePath('proc1', 'local1'), undefined, "gone from proc1's pool");
      assert.equal(await statusOn('proc1', vm2), undefined);
      await ok(['guest', 'start', vm2]);
      assert.deepEqual([(await guest(vm2)).host.name, (await guest(vm2)).state], ['proc2', 'running']);
      await ok(['guest', 'stop', vm2, '--force']);
      diskSha = await sha256File(dst);
    });

    await t.test('a cold move whose disk copy is refused leaves the VM and its disk where they were', { timeout: 120_000 }, async () => {
      // proc1's pool already holds a volume of that name: the copy is refused.
      await (await agent('proc1')).createVolume('local1', { sizeBytes: 8 * 1024 * 1024 });
      const err = await coldMove(vm2, 'proc1').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isGrappeError(err) && err.code === 'volumeExists', `refused: ${String(err)}`);
      assert.equal((await guest(vm2)).host.name, 'proc2');
      const v = await volume('local1');
      assert.deepEqual([v.hostId, v.pool], [(await host('proc2')).id, 'local-proc2']);
      assert.equal(await sha256File((await volumePath('proc2', 'local1'))!), diskSha, 'its disk is untouched');
      assert.equal((await statusOn('proc2', vm2))?.state, 'stopped');
      assert.equal(await statusOn('proc1', vm2), undefined, 'no definition left on proc1');
      const stray = (await (await agent('proc1')).listVolumes()).find((x) => x.name === 'local1');
      assert.equal(stray?.sizeBytes, 8 * 1024 * 1024, 'the volume that was there stays as it was');
      await (await agent('proc1')).deleteVolume('local1');
    });

    t.diagnostic(
      `measured ${JSON.stringify(Object.fromEntries(Object.entries(measured).map(([k, o]) => [k, { downtimeMs: o.downtimeMs, totalMs: o.totalMs, bytes: o.transferredBytes }])))}`,
    );
  });
});
