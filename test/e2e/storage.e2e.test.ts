// Storage end to end on real agents in network namespaces: 1 storage host and 2 processing hosts
// (proc1 on the SAN, proc2 not at first). Through `grappe` commands: the tiny image build, a volume
// from it on the iscsi pool, the processing host's iSCSI login to it, the storage indicators (a real
// login to the probe LUN), the targets' ACL following the processing hosts' SAN addresses, resize,
// delete, the refusals, and a failed create leaving nothing. The controller runs in this process so
// the test can reach its store (to mark a volume attached, as a guest would).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HostView } from '../../src/contract/host.contract.ts';
import type { IscsiChap } from '../../src/contract/guest-agent.contract.ts';
import type { ImageRecord, PoolView, VolumeView } from '../../src/contract/storage.contract.ts';
import { qemuImgImageArgs, withChapSecret } from '../../src/agent/drivers/iscsi-login-check.ts';
import type { TaskView } from '../../src/contract/task.contract.ts';
import { tgtControlPortFor } from '../../src/agent/guest-runtime.ts';
import { volumeIqn } from '../../src/agent/drivers/tgt-show-parse.ts';
import { loadClusterIdentity } from '../../src/controller/data-dir.ts';
import { guestAgentFor } from '../../src/controller/storage/guest-agent-for.ts';
import { allocateMac, ensureNetworkOnHost } from '../../src/controller/storage/index.ts';
import { findVolume, volumeKey } from '../../src/controller/storage/volume-store.ts';
import { admitHost } from '../../src/controller/storage/target-admission.ts';
import { hostsRuntime } from '../../src/controller/hosts/hosts-runtime.ts';
import { update, type Json } from '../../src/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { E2E_HOST_PASSWORD as HOST_PASSWORD, withE2ePool } from '../support/e2e-pool.ts';

const isRoot = process.getuid?.() === 0;

test('storage pools, images and iSCSI volumes on real agents', { skip: !isRoot && 'needs root (network namespaces)' }, async (t) => {
  const hostSpecs = [
    { name: 'stor1', purpose: 'storage' as const },
    { name: 'proc1', purpose: 'processing' as const },
    { name: 'proc2', purpose: 'processing' as const },
  ];
  await withE2ePool(
    'grappe-e2e-storage-',
    hostSpecs,
    async ({ cli, tb, controller, dataDir }) => {
      const [stor1, proc1, proc2] = [tb.host('stor1'), tb.host('proc1'), tb.host('proc2')];
      const ctx = controller.ctx;
      const cluster = loadClusterIdentity(dataDir);
      const agentOf = (h: { name: string; lanIp: string }) => guestAgentFor({ cluster }, { name: h.name, address: h.lanIp, port: 4433 });
      const show = (name: string) => cli.json<HostView>(['host', 'show', name]);
      const volume = (name: string) => cli.json<VolumeView>(['volume', 'show', name]);
      const sh = (host: string, cmd: string, args: string[]) => tb.exec(host, cmd, args);
      // The target's CHAP login is only in the store (views show its user): what a host is given to log in.
      const chapOf = async (name: string) => (await findVolume(ctx.store, name))?.volume.chap;
      const hostRecord = async (name: string) => {
        const h = (await hostsRuntime(ctx)).cache.find(name);
        assert.ok(h, name);
        return h;
      };
      /** `qemu-img info [extra] <LUN>` from `host`'s namespace, logged in with `chap`. */
      const qemuImgInfo = (host: string, url: string, chap: IscsiChap | undefined, extra: string[] = []) =>
        withChapSecret(chap, (login) => sh(host, 'timeout', ['10', 'qemu-img', 'info', ...extra, ...qemuImgImageArgs(url, login)]));

      await t.test('hosts added; proc1 put on the SAN', async () => {
        for (const h of [stor1, proc1, proc2]) {
          const r = await cli.grappe([
            'host',
            'add',
            '--purpose',
            h.purpose,
            '--name',
            h.name,
            '--address',
            h.lanIp,
            '--password',
            'grappe',
            '--new-password',
            HOST_PASSWORD,
          ]);
          assert.equal(r.code, 0, `${h.name}: ${r.err}`);
          assert.equal((await cli.grappe(['host', 'enable', h.name])).code, 0);
        }
        assert.equal((await cli.grappe(['host', 'maintenance', 'proc1'])).code, 0);
        const nic = await cli.grappe(['host', 'nic', 'edit', 'proc1', 'eth1', '--subnet', 'SAN', '--ip', proc1.sanIp]);
        assert.equal(nic.code, 0, nic.err);
        assert.equal((await cli.grappe(['host', 'enable', 'proc1'])).code, 0);
        const pools = await cli.json<PoolView[]>(['pool', 'list']);
        assert.deepEqual(
          pools.map((p) => [p.name, p.type, p.shared]),
          [
            ['iscsi-stor1', 'iscsi', true],
            ['local-proc1', 'local', false],
            ['local-proc2', 'local', false],
          ],
        );
      });

      await t.test('image build tiny records a bootable raw disk and a container template', async () => {
        const started = await cli.json<{ taskId: string }>(['image', 'build', 'tiny', '--no-wait']);
        const task = await ctx.tasks.wait(started.taskId);
        assert.equal(task.state, 'succeeded', JSON.stringify(task.error));
        const images = await cli.json<ImageRecord[]>(['image', 'list']);
        assert.deepEqual(
          images.map((i) => [i.name, i.kind, i.format]),
          [
            ['tiny', 'vm-disk', 'raw'],
            ['tiny-ct', 'ct-template', null],
          ],
        );
        assert.ok(images.every((i) => existsSync(i.path) && /^[0-9a-f]{64}$/.test(i.sha256)));
      });

      await t.test('a volume from the image on the iscsi pool: its target admits nobody until a host is let in; proc1 then logs in', async () => {
        const task = await cli.json<TaskView>(['volume', 'create', 'web01-root', '--pool', 'iscsi-stor1', '--image', 'tiny']);
        assert.equal(task.state, 'succeeded');
        const v = await volume('web01-root');
        assert.equal(v.state, 'ready');
        assert.equal(v.image, 'tiny');
        assert.match(v.url ?? '', new RegExp(`^iscsi://${stor1.sanIp.replace(/\./g, '\\.')}:3260/iqn\\.[^/]+/1$`));
        assert.deepEqual(v.initiators, [], 'a volume no guest uses: nobody');
        // Its target has a CHAP account of its own: the view names the user, never the secret.
        const chap = await chapOf('web01-root');
        assert.ok(chap);
        assert.equal((await agentOf(proc1).iscsiCheck(v.url!, chap)).ok, false, 'not let in yet, even with the credentials');
        // What a guest's create, move or recovery does before the host opens the volume.
        await admitHost(ctx, ['web01-root'], await hostRecord('proc1'));
        assert.deepEqual((await volume('web01-root')).initiators, [proc1.sanIp]);
        assert.equal(v.chapUser, chap.user);
        assert.equal(JSON.stringify(v).includes(chap.secret), false);
        const check = await agentOf(proc1).iscsiCheck(v.url!, chap);
        assert.equal(check.ok, true, check.error);
        // From the right address, a login without the credentials or with wrong ones is refused.
        const anonymous = await agentOf(proc1).iscsiCheck(v.url!, undefined);
        assert.equal(anonymous.ok, false);
        assert.match(anonymous.error ?? '', /Authentication failure/);
        const wrong = await agentOf(proc1).iscsiCheck(v.url!, { user: chap.user, secret: 'NotTheSecret0000' });
        assert.match(wrong.error ?? '', /Authentication failure/);
        // The content arrived intact: the image's boot sector is on the LUN.
        const info = await qemuImgInfo('proc1', v.url!, chap, ['--output=json']);
        assert.equal(JSON.parse(info.stdout)['virtual-size'], v.sizeBytes);
      });

      await t.test('storage indicator: green for proc1 (iSCSI login to the probe LUN), red for proc2 without SAN', async () => {
        const probe = (await agentOf(stor1).listVolumes()).find((x) => x.name === 'grappe-probe');
        assert.ok(probe?.exportedAs, 'the storage host exports its probe LUN');
        await eventually('proc1 storage green', async () => ((await show('proc1')).indicators.storage === 'green' ? true : undefined));
        assert.equal((await show('proc2')).indicators.storage, 'red');
        assert.equal((await agentOf(proc2).iscsiCheck((await volume('web01-root')).url!, await chapOf('web01-root'), 2000)).ok, false);
      });

      await t.test('the ACL refuses an address no processing host was given on the SAN', async () => {
        // proc2 takes its SAN address behind the controller's back: the target still refuses it.
        await sh('proc2', 'ip', ['addr', 'add', `${proc2.sanIp}/24`, 'dev', 'eth1']);
        await sh('proc2', 'ip', ['link', 'set', 'eth1', 'up']);
        try {
          assert.ok(await tb.ping('proc2', stor1.sanIp), 'the SAN itself works');
          // With the right CHAP login: the address alone keeps it out.
          const r = await agentOf(proc2).iscsiCheck((await volume('web01-root')).url!, await chapOf('web01-root'), 3000);
          assert.equal(r.ok, false, 'login refused by the ACL');
        } finally {
          await sh('proc2', 'ip', ['addr', 'del', `${proc2.sanIp}/24`, 'dev', 'eth1']);
        }
      });

      await t.test("proc1's SAN link down turns its storage indicator red, and back green", async () => {
        await tb.linkDown('proc1', 'san');
        await eventually('proc1 storage red', async () => ((await show('proc1')).indicators.storage === 'red' ? true : undefined));
        await tb.linkUp('proc1', 'san');
        await eventually('proc1 storage green again', async () => ((await show('proc1')).indicators.storage === 'green' ? true : undefined));
      });

      await t.test(
        'targets follow the hosts: proc2 on the SAN is not let in until admitted; the grace over, only a guest keeps a host in; removed, it is shut out',
        async () => {
          assert.equal((await cli.grappe(['host', 'maintenance', 'proc2'])).code, 0);
          const nic = await cli.grappe(['host', 'nic', 'edit', 'proc2', 'eth1', '--subnet', 'SAN', '--ip', proc2.sanIp]);
          assert.equal(nic.code, 0, nic.err);
          // The probe LUNs are for every processing host: proc2's storage turns green.
          await eventually('proc2 storage green', async () => ((await show('proc2')).indicators.storage === 'green' ? true : undefined));
          const url = (await volume('web01-root')).url!;
          const chap = await chapOf('web01-root');
          assert.equal((await agentOf(proc2).iscsiCheck(url, chap)).ok, false, 'a SAN address alone does not open a volume');
          await admitHost(ctx, ['web01-root'], await hostRecord('proc2'));
          assert.ok((await volume('web01-root')).initiators?.includes(proc2.sanIp), 'admitted');
          assert.equal((await agentOf(proc2).iscsiCheck(url, chap)).ok, true);
          // No guest uses the volume: once their grace is over, the sync takes both admissions back.
          await eventually('ACL narrowed to nobody', async () => ((await volume('web01-root')).initiators?.length === 0 ? true : undefined), 60_000);
          assert.equal((await agentOf(proc1).iscsiCheck(url, chap)).ok, false, 'proc1 is out too');
          await admitHost(ctx, ['web01-root'], await hostRecord('proc2'));
          const removed = await cli.grappe(['host', 'remove', 'proc2', '--yes']);
          assert.equal(removed.code, 0, removed.err);
          await eventually('ACL without the removed host', async () => ((await volume('web01-root')).initiators?.length === 0 ? true : undefined));
          // Its connector was released with the host: log in from its namespace with QEMU's client directly.
          const login = await qemuImgInfo('proc2', url, chap);
          assert.notEqual(login.code, 0, 'login refused by the ACL');
          await admitHost(ctx, ['web01-root'], await hostRecord('proc1'));
          assert.equal((await qemuImgInfo('proc1', url, chap)).code, 0);
        },
      );

      await t.test('resize grows the LUN; shrink refused', async () => {
        const before = await volume('web01-root');
        const bigger = before.sizeBytes / 1048576 + 16;
        const r = await cli.grappe(['volume', 'resize', 'web01-root', '--size', `${bigger}M`]);
        assert.equal(r.code, 0, r.err);
        const after = await volume('web01-root');
        assert.equal(after.sizeBytes, bigger * 1048576);
        assert.equal(after.url, before.url, 'same target');
        await admitHost(ctx, ['web01-root'], await hostRecord('proc1'));
        const seen = await qemuImgInfo('proc1', after.url!, await chapOf('web01-root'), ['--output=json']);
        assert.equal(JSON.parse(seen.stdout)['virtual-size'], bigger * 1048576, 'the initiator sees the new size');
        const shrink = await cli.grappe(['volume', 'resize', 'web01-root', '--size', '8M']);
        assert.equal(shrink.code, 1);
        assert.match(shrink.err, /can only grow/);
      });

      await t.test('bad input: unknown pool, duplicate name, unknown image, no size', async () => {
        const cases: [string[], RegExp][] = [
          [['volume', 'create', 'x1', '--pool', 'iscsi-nope', '--size', '8M'], /no storage pool 'iscsi-nope'/],
          [['volume', 'create', 'web01-root', '--pool', 'local-proc1', '--size', '8M'], /volume 'web01-root' is already used/],
          [['volume', 'create', 'x1', '--pool', 'iscsi-stor1', '--image', 'nope'], /no image 'nope'/],
          [['volume', 'create', 'x1', '--pool', 'iscsi-stor1'], /give its size/],
          [['volume', 'create', 'x1', '--pool', 'iscsi-stor1', '--image', 'tiny-ct'], /container template/],
        ];
        for (const [args, message] of cases) {
          const r = await cli.grappe(args);
          assert.equal(r.code, 1, `${args.join(' ')}: ${r.out}`);
          assert.match(r.err, message);
        }
        const usage = await cli.grappe(['volume', 'create', 'x1', '--pool', 'iscsi-stor1', '--size', 'lots']);
        assert.equal(usage.code, 2);
        assert.deepEqual(
          (await cli.json<VolumeView[]>(['volume', 'list'])).map((v) => v.name),
          ['web01-root'],
        );
      });

      await t.test('a local volume, the default network on a host, MACs', async () => {
        const r = await cli.json<TaskView>(['volume', 'create', 'scratch', '--pool', 'local-proc1', '--size', '8M', '--format', 'qcow2']);
        assert.equal(r.state, 'succeeded');
        assert.deepEqual(
          (await agentOf(proc1).listVolumes()).map((x) => [x.name, x.format]),
          [['scratch', 'qcow2']],
        );
        assert.equal((await cli.grappe(['volume', 'delete', 'scratch'])).code, 0);
        assert.deepEqual(await agentOf(proc1).listVolumes(), []);
        const procId = (await show('proc1')).id;
        assert.equal((await ensureNetworkOnHost(ctx, procId, 'default')).up, true);
        assert.match((await sh('proc1', 'ip', ['-br', 'link', 'show', 'gn-default'])).stdout, /gn-default/);
        const macs = [await allocateMac(ctx), await allocateMac(ctx)];
        assert.notEqual(macs[0], macs[1]);
        assert.ok(macs.every((m) => /^52:54:00(:[0-9a-f]{2}){3}$/.test(m)));
      });

      await t.test('delete refused while attached; then deleted with its target', async () => {
        const setAttached = (guest: string | null) =>
          update<Json>(ctx.store, volumeKey('web01-root'), (cur) => ({ ...(cur as { [k: string]: Json }), attachedTo: guest }));
        await setAttached('vm:100');
        const refused = await cli.grappe(['volume', 'delete', 'web01-root']);
        assert.equal(refused.code, 1);
        assert.match(refused.err, /attached to guest 'vm:100'/);
        await setAttached(null);
        const ok = await cli.grappe(['volume', 'delete', 'web01-root']);
        assert.equal(ok.code, 0, ok.err);
        assert.deepEqual(await cli.json(['volume', 'list']), []);
        assert.deepEqual(
          (await agentOf(stor1).listVolumes()).map((x) => x.name),
          ['grappe-probe'],
          'file and target gone',
        );
      });

      await t.test('a create that fails after its file exists leaves nothing: no record, no file, no target', async () => {
        // A target already holding the IQN volume 'doomed' will get, made by hand in stor1's tgtd: the file is
        // created, then the export is refused, and the create must undo the file and its reservation.
        const control = String(tgtControlPortFor(join(stor1.dir, 'agent-data')));
        const tgtadm = (args: string[]) => sh('stor1', 'tgtadm', ['-C', control, '--lld', 'iscsi', ...args]);
        const targets = async () => (await tgtadm(['--op', 'show', '--mode', 'target'])).stdout;
        const tid = String(1 + Math.max(0, ...[...(await targets()).matchAll(/^Target (\d+):/gm)].map((m) => Number(m[1]))));
        assert.equal((await tgtadm(['--op', 'new', '--mode', 'target', '--tid', tid, '-T', volumeIqn('doomed')])).code, 0);
        const r = await cli.grappe(['volume', 'create', 'doomed', '--pool', 'iscsi-stor1', '--size', '8M']);
        assert.equal(r.code, 1, r.out);
        assert.match(r.err, /export of volume 'doomed' refused: .*:doomed already serves/);
        const task = (await cli.json<TaskView[]>(['task', 'list'])).find((x) => x.kind === 'volume.create' && x.target === 'volume:doomed');
        const log = (task?.log ?? []).map((l) => l.message);
        assert.ok(log.includes("undone: the file of volume 'doomed' on 'stor1'"), log.join(' | '));
        assert.ok(log.includes("undone: the reservation of volume 'doomed'"), log.join(' | '));
        assert.deepEqual(await cli.json(['volume', 'list']), []);
        assert.deepEqual(
          (await agentOf(stor1).listVolumes()).map((x) => x.name),
          ['grappe-probe'],
          'the file was removed',
        );
        assert.doesNotMatch(await targets(), /:doomed/, 'no target left for it');
      });
    },
    { admissionGraceMs: 15_000 },
  ); // a short grace, so that the ACL is seen to narrow
});
