// Evacuation and undo end to end on real agents in network namespaces (1 storage + 3 processing
// hosts on the SAN), through `grappe` commands: proc1 holds 3 running VMs on iSCSI volumes, 1 stopped
// VM and 1 running container; it is put in maintenance and evacuated (spread). Each running VM's
// serial tick counter never restarts across the move — proof the move was live — and every guest
// ends in the power state it had. One guest is then moved by hand; undo lists it Unavailable with
// why and brings the others back in their original state; a second undo is refused with a warning.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EvacuationPlanView, EvacuationView, UndoPlanView } from '../../src/contract/evacuation.contract.ts';
import type { GuestView } from '../../src/contract/guest.contract.ts';
import type { HostSummary } from '../../src/contract/host.contract.ts';
import type { TaskView } from '../../src/contract/task.contract.ts';
import type { RunningController } from '../../src/controller/main.ts';
import { apiClient } from '../support/test-cluster.ts';
import { E2E_ADMIN_PASSWORD } from '../support/e2e-controller.ts';
import { addHosts, cliAssertions, ticks as allTicks, withE2ePool } from '../support/e2e-pool.ts';
import { eventually } from '../support/eventually.ts';
import { readConsole } from '../support/console-socket.ts';

const isRoot = process.getuid?.() === 0;
const RUNNING_VMS = ['vm1', 'vm2', 'vm3'];
const STOPPED_VM = 'vm4';
const CONTAINER = 'ct1';
// Small, but enough for SYSLINUX to load the tiny disk's kernel and initramfs (64 MiB is not).
const VM_MEMORY_MIB = 128;

// Console reads stop anywhere: only lines seen whole count.
const ticks = (text: string): number[] => allTicks(text, true);
/** Until the counter has passed `n` (lines seen whole). */
const tickPast =
  (n: number) =>
  (text: string): boolean =>
    ticks(text).some((x) => x > n);

test(
  'evacuation: a host with running VMs on iSCSI, a stopped VM and a container is evacuated live and undone',
  { skip: !isRoot && 'needs root (network namespaces)' },
  async (t) => {
    const hostSpecs = [
      { name: 'stor1', purpose: 'storage' as const },
      { name: 'proc1', purpose: 'processing' as const },
      { name: 'proc2', purpose: 'processing' as const },
      { name: 'proc3', purpose: 'processing' as const },
    ];
    await withE2ePool('grappe-e2e-evacuation-', hostSpecs, async ({ cli, tb, controller }) => {
      const ctl = controller;
      const token = await apiClient(ctl.url, ctl.ctx.cluster.caCertPem).login('admin', E2E_ADMIN_PASSWORD);

      const { ok, refused } = cliAssertions(cli);
      const guest = (ref: string) => cli.json<GuestView>(['guest', 'show', ref]);
      /** Starts a task-running command without waiting (the CLI's own wait is bounded) and follows the task. */
      const runTask = async (args: string[], timeoutMs = 600_000): Promise<TaskView> => {
        const { taskId } = await cli.json<{ taskId: string }>([...args, '--no-wait']);
        return eventually(
          `task ${taskId} (${args.join(' ')})`,
          async () => {
            const task = await cli.json<TaskView>(['task', 'show', taskId]);
            return task.state === 'succeeded' || task.state === 'failed' ? task : undefined;
          },
          timeoutMs,
          1000,
        );
      };
      const original = new Map<string, string>(); // guest id → power state when the evacuation starts
      const lastTick = new Map<string, number>();
      const ids = new Map<string, string>(); // name → id

      await t.test('cluster: 1 storage + 3 processing hosts on the SAN, tiny image, 4 iSCSI volumes', { timeout: 600_000 }, async () => {
        await addHosts(
          ok,
          tb,
          hostSpecs.map((h) => h.name),
        );
        // The build looks the kernel package up with apt-cache, which a loaded machine can take longer
        // than the build allows for; one more try then.
        if ((await cli.grappe(['image', 'build', 'tiny'])).code !== 0) await ok(['image', 'build', 'tiny']);
        for (const vm of [...RUNNING_VMS, STOPPED_VM]) await ok(['volume', 'create', `${vm}-root`, '--pool', 'iscsi-stor1', '--image', 'tiny']);
        for (const name of ['proc1', 'proc2', 'proc3']) {
          await eventually(
            `${name} storage green`,
            async () => ((await cli.json<HostSummary>(['host', 'show', name])).indicators.storage === 'green' ? true : undefined),
            90_000,
          );
        }
      });

      await t.test('proc1: 3 running VMs (128 MiB) ticking on their serial console, 1 stopped VM, 1 running container', { timeout: 900_000 }, async () => {
        for (const vm of [...RUNNING_VMS, STOPPED_VM]) {
          await ok(['guest', 'create', '--name', vm, '--vcpus', '1', '--memory', String(VM_MEMORY_MIB), '--disk', `${vm}-root`, '--host', 'proc1']);
          ids.set(vm, (await guest(vm)).id);
        }
        // One QEMU boots at a time: the machine's two cores are shared.
        for (const vm of RUNNING_VMS) {
          await ok(['guest', 'start', vm]);
          await readConsole(ctl, token, ids.get(vm)!, tickPast(1), 300_000);
        }
        await ok(['guest', 'create', '--kind', 'ct', '--name', CONTAINER, '--template', 'tiny-ct', '--memory', '64', '--host', 'proc1']);
        ids.set(CONTAINER, (await guest(CONTAINER)).id);
        await ok(['guest', 'start', CONTAINER]);
        for (const [name, id] of ids) {
          const g = await guest(id);
          assert.equal(g.host.name, 'proc1', name);
          original.set(id, g.state);
        }
        assert.deepEqual([...original.values()], ['running', 'running', 'running', 'stopped', 'running']);
      });

      await t.test('evacuating a host not in maintenance is refused; the maintenance dry run shows the guests and the plan, changing nothing', async () => {
        await refused(['host', 'evacuate', 'proc1'], /cannot evacuate host 'proc1': it is UP.*maintenance/);
        const preview = await cli.json<{ state: { from: string; to: string }; guests: unknown[]; evacuation: EvacuationPlanView }>([
          'host',
          'maintenance',
          'proc1',
          '--dry-run',
        ]);
        assert.deepEqual(preview.state, { from: 'UP', to: 'MAINT' });
        assert.equal(preview.guests.length, 5);
        assert.equal(preview.evacuation.moves.length, 5, JSON.stringify(preview.evacuation.unmovable));
        assert.equal((await cli.json<HostSummary>(['host', 'show', 'proc1'])).state, 'UP');
        const text = await ok(['host', 'maintenance', 'proc1', '--dry-run']);
        assert.match(text, /Nothing was changed \(dry run\)/);
      });

      let evacuationTask: TaskView | undefined;
      await t.test(
        'maintenance, evacuate (spread): live moves, the tick counters never restart, every guest keeps its power state',
        { timeout: 900_000 },
        async () => {
          await ok(['host', 'maintenance', 'proc1']);
          // Where each counter is just before the evacuation: the scrollback ends at the current tick.
          for (const vm of RUNNING_VMS) lastTick.set(vm, Math.max(...ticks(await readConsole(ctl, token, ids.get(vm)!, tickPast(0), 60_000))));
          const plan = await cli.json<EvacuationPlanView>(['host', 'evacuate', 'proc1', '--dry-run']);
          const kinds = Object.fromEntries(plan.moves.map((m) => [m.guest, m.kind]));
          for (const vm of RUNNING_VMS) assert.equal(kinds[ids.get(vm)!], 'live', vm);
          assert.equal(kinds[ids.get(STOPPED_VM)!], 'cold');
          assert.equal(kinds[ids.get(CONTAINER)!], 'restart');
          for (const m of plan.moves) assert.ok(m.to.name === 'proc2' || m.to.name === 'proc3', `${m.guest} → ${m.to.name}`);
          assert.match(await ok(['host', 'evacuate', 'proc1', '--dry-run']), /GUEST\s+FROM\s+TO\s+KIND/);

          evacuationTask = await runTask(['host', 'evacuate', 'proc1', '--max-parallel', '2']);
          assert.equal(evacuationTask.state, 'succeeded', JSON.stringify(evacuationTask.error));
          assert.equal(evacuationTask.kind, 'host.evacuate');
          assert.equal((await cli.json<HostSummary>(['host', 'show', 'proc1'])).state, 'MAINT', 'MAINT again after EVACUATING');

          const where = new Map<string, string>();
          for (const [name, id] of ids) {
            const g = await eventually(`${name} seen live`, async () => {
              const v = await guest(id);
              return v.live ? v : undefined;
            });
            assert.notEqual(g.host.name, 'proc1', `${name} left proc1`);
            assert.equal(g.state, original.get(id), `${name} is ${original.get(id)} again`);
            where.set(name, g.host.name);
          }
          const counts = ['proc2', 'proc3'].map((h) => [...where.values()].filter((x) => x === h).length);
          assert.ok(Math.abs(counts[0]! - counts[1]!) <= 1, `spread evenly: ${JSON.stringify(Object.fromEntries(where))}`);

          for (const vm of RUNNING_VMS) {
            const before = lastTick.get(vm)!;
            const seen = await readConsole(ctl, token, ids.get(vm)!, tickPast(before + 2), 120_000);
            const after = ticks(seen);
            assert.ok(
              after.length > 0 && Math.min(...after) > before,
              `${vm}: the counter went on from ${before} (saw ${after.slice(0, 5).join(', ')}…): it was not restarted`,
            );
            assert.ok(!/grappe-tiny: booted/.test(seen), `${vm} did not boot again`);
            lastTick.set(vm, Math.max(...after));
          }
          const log = evacuationTask.log.map((l) => l.message).join('\n');
          for (const vm of RUNNING_VMS) assert.match(log, new RegExp(`${ids.get(vm)}: on 'proc[23]' now, running, downtime \\d+(\\.\\d+)? ms`));
        },
      );

      let movedByHand = '';
      await t.test('one guest moved elsewhere by hand', { timeout: 300_000 }, async () => {
        const g = await guest(ids.get('vm2')!);
        const other = g.host.name === 'proc2' ? 'proc3' : 'proc2';
        const task = await runTask(['guest', 'migrate', g.id, other]);
        assert.equal(task.state, 'succeeded', JSON.stringify(task.error));
        assert.equal((await guest(g.id)).host.name, other);
        movedByHand = g.id;
      });

      await t.test('undo: the guest moved since is Unavailable with why; the others come back in their original state', { timeout: 900_000 }, async () => {
        await ok(['host', 'enable', 'proc1']);
        const plan = await cli.json<UndoPlanView>(['host', 'undo-evacuate', 'proc1', '--dry-run']);
        assert.equal(plan.warning, undefined);
        assert.deepEqual(
          plan.unavailable.map((u) => u.guest),
          [movedByHand],
        );
        assert.match(plan.unavailable[0]!.why, /moved since to 'proc[23]'/);
        assert.equal(plan.available.length, 4);
        const text = await ok(['host', 'undo-evacuate', 'proc1', '--dry-run']);
        assert.match(text, /Unavailable:\n\s+vm:\d+: moved since/);

        const task = await runTask(['host', 'undo-evacuate', 'proc1', '--yes']);
        assert.equal(task.state, 'succeeded', JSON.stringify(task.error));
        assert.equal(task.kind, 'host.undo-evacuate');
        for (const [name, id] of ids) {
          const g = await eventually(`${name} seen live`, async () => {
            const v = await guest(id);
            return v.live ? v : undefined;
          });
          if (id === movedByHand) assert.notEqual(g.host.name, 'proc1', `${name} stayed where it was moved`);
          else assert.equal(g.host.name, 'proc1', `${name} is back`);
          assert.equal(g.state, original.get(id), `${name} is ${original.get(id)} as before the evacuation`);
        }
        for (const vm of RUNNING_VMS.filter((v) => ids.get(v) !== movedByHand)) {
          const before = lastTick.get(vm)!;
          const seen = await readConsole(ctl, token, ids.get(vm)!, tickPast(before + 1), 120_000);
          assert.ok(Math.min(...ticks(seen)) > before, `${vm} ticked on across the move back`);
        }
      });

      await t.test('a second undo: warned, nothing can be undone; the record shows what happened', async () => {
        const plan = await cli.json<UndoPlanView>(['host', 'undo-evacuate', 'proc1', '--dry-run']);
        assert.equal(plan.warning?.code, 'alreadyUndone');
        await refused(['host', 'undo-evacuate', 'proc1', '--yes'], /already undone/);
        const [ev] = await fetchEvacuations(ctl, token);
        assert.ok(ev && ev.record.undone);
        assert.equal(ev!.evacuate.phase, 'done');
        assert.equal(ev!.undo?.phase, 'done');
        const downtimes = ev!.evacuate.guests.filter((g) => g.kind === 'live').map((g) => g.downtimeMs);
        t.diagnostic(
          `evacuation ${ev!.id}: live downtimes ${downtimes.join(', ')} ms; evacuation task ${evacuationTask?.startedAt} → ${evacuationTask?.endedAt}`,
        );
      });
    });
  },
);

async function fetchEvacuations(controller: RunningController, token: string): Promise<EvacuationView[]> {
  const r = await apiClient(controller.url, controller.ctx.cluster.caCertPem).call('GET', '/api/v1/evacuations', { token });
  assert.equal(r.status, 200);
  return r.json as EvacuationView[];
}
