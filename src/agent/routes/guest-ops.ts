// Guest actions over the two drivers: the routes say what was asked, this says how for a VM or a
// container. Each action on one guest runs under that guest's lock.
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CtGuestSpec, GuestSpec, GuestStatus, GuestStopResponse } from '../../contract/guest-agent.contract.ts';
import { formatGuestId, guestSlug, type GuestId } from '../../contract/shared-rules.ts';
import { AgentError } from '../agent-error.ts';
import type { ContainerStatus } from '../drivers/lxc-driver.ts';
import { CDROM_DEVICE } from '../drivers/qemu-args.ts';
import { withQmp, type QmpClient } from '../drivers/qmp-client.ts';
import { grantAccess } from '../drivers/qemu-user.ts';
import { runCommand } from '../../process/run-command.ts';
import type { GuestRuntime } from '../guest-runtime.ts';
import { ensureBridge } from './bridge.routes.ts';
import { tapName, vmDriverSpec } from './guest-specs.ts';
import { processStartedAt } from './process-start-time.ts';

const running = (id: string, what: string): AgentError => new AgentError('guestRunning', `${what} of '${id}' refused: it is running; stop it first`);
const noSuchGuest = (id: string): AgentError => new AgentError('noSuchGuest', `no guest '${id}' is defined on this host`);

export async function guestStatus(g: GuestRuntime, gid: GuestId, name?: string): Promise<GuestStatus> {
  const id = formatGuestId(gid);
  let s: GuestStatus;
  if (gid.kind === 'vm') {
    const v = await g.qemu.status(id);
    const state = v.state === 'shutdown' ? 'other' : v.state;
    s = {
      id,
      name: name ?? v.name,
      kind: 'vm',
      state,
      ...(v.accel ? { accel: v.accel } : {}),
      ...(v.pid !== undefined ? { pid: v.pid } : {}),
      ...(state === 'other' && v.qemuStatus ? { detail: v.qemuStatus } : {}),
    };
  } else {
    const c = await containerStatus(g, id);
    s = c
      ? {
          id,
          name: name ?? c.name,
          kind: 'ct',
          state: c.state,
          ...(c.pid !== undefined ? { pid: c.pid } : {}),
          ...(c.state === 'other' && c.lxcState ? { detail: c.lxcState } : {}),
        }
      : { id, name: name ?? id, kind: 'ct', state: 'other', detail: 'defined, but its LXC container is missing on this host' };
  }
  if (s.pid !== undefined && s.state !== 'stopped') {
    const startedAt = await processStartedAt(s.pid);
    if (startedAt) s.startedAt = startedAt;
  }
  return s;
}

/** Every defined guest, plus any VM or container running here without a definition. */
export async function listGuests(g: GuestRuntime): Promise<GuestStatus[]> {
  const defined = await g.specs.list();
  const ids = new Map(defined.map(({ id, spec }) => [formatGuestId(id), { id, name: spec.name }]));
  for (const v of await g.qemu.list()) if (!ids.has(v.id)) ids.set(v.id, { id: { kind: 'vm', number: Number(v.id.slice(3)) }, name: v.name });
  for (const c of await g.lxc.list()) if (!ids.has(c.id)) ids.set(c.id, { id: { kind: 'ct', number: Number(c.id.slice(3)) }, name: c.name });
  const all = await Promise.all([...ids.values()].map(({ id, name }) => guestStatus(g, id, name)));
  return all.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

async function createContainer(g: GuestRuntime, id: string, slug: string, spec: CtGuestSpec): Promise<void> {
  const nic = spec.nics[0]!;
  await g.lxc.create({
    id,
    name: spec.name,
    memoryMiB: spec.memoryMiB,
    cpus: spec.vcpus,
    bridge: nic.bridge,
    template: spec.template === 'busybox' ? { kind: 'busybox' } : { kind: 'rootfs', archive: spec.template },
  });
  // The MAC the controller allocated, so the container keeps its address across hosts.
  await appendFile(join(g.lxcPath, slug, 'config'), `lxc.net.0.hwaddr = ${nic.mac}\n`);
}

async function containerStatus(g: GuestRuntime, id: string): Promise<ContainerStatus | undefined> {
  return g.lxc.status(id).catch((e: unknown) => {
    if (e instanceof AgentError && e.code === 'noSuchGuest') return undefined;
    throw e;
  });
}

/** Defines or replaces a guest; a container is created (its rootfs made) at definition. */
export async function defineGuest(g: GuestRuntime, gid: GuestId, spec: GuestSpec): Promise<{ created: boolean }> {
  const id = formatGuestId(gid);
  if (spec.kind !== gid.kind) throw new AgentError('invalidInput', `definition of '${id}' refused: kind '${spec.kind}' does not match the id`);
  const old = await g.specs.find(gid);
  if (old && JSON.stringify(old) === JSON.stringify(spec)) return { created: false };
  if (spec.kind === 'vm') {
    if ((await g.qemu.status(id)).state !== 'stopped') throw running(id, 'redefinition');
  } else {
    const ct = await containerStatus(g, id);
    if (ct && ct.state !== 'stopped') throw running(id, 'redefinition');
    // A container's rootfs is made from its template once; another definition means a new container.
    if (ct) throw new AgentError('guestExists', `definition of '${id}' refused: the container already exists with another definition; delete it first`);
    await createContainer(g, id, guestSlug(gid), spec);
  }
  await g.specs.save(gid, spec);
  return { created: old === undefined };
}

export async function startGuest(g: GuestRuntime, gid: GuestId): Promise<GuestStatus> {
  const id = formatGuestId(gid);
  const spec = await g.specs.get(gid);
  if (spec.kind === 'vm') {
    for (const n of spec.nics) await ensureBridge(n.bridge);
    await g.qemu.startVm(await vmDriverSpec(gid, spec, g.volumes));
    await joinTaps(
      g,
      gid,
      spec.nics.map((n) => n.bridge),
    );
  } else {
    await ensureBridge(spec.nics[0]!.bridge);
    await g.lxc.start(id);
  }
  return guestStatus(g, gid, spec.name);
}

// QEMU opened its taps (script=no): they join their bridges now, and vanish when QEMU exits.
export async function joinTaps(g: GuestRuntime, gid: GuestId, bridges: string[]): Promise<void> {
  for (const [i, bridge] of bridges.entries()) {
    const tap = tapName(gid, i);
    const r = await runCommand('ip', ['link', 'set', 'dev', tap, 'master', bridge, 'up']);
    if (!r.ok) {
      await g.qemu.forceStop(formatGuestId(gid));
      throw new AgentError('guestStartFailed', `'${formatGuestId(gid)}' was stopped again: its NIC ${tap} could not join bridge '${bridge}': ${r.error}`);
    }
  }
}

export async function stopGuest(g: GuestRuntime, gid: GuestId, opts: { timeoutMs: number; force: boolean }): Promise<GuestStopResponse> {
  const id = formatGuestId(gid);
  if (gid.kind === 'vm') {
    const r = opts.force ? await g.qemu.forceStop(id) : await g.qemu.stop(id, { timeoutMs: opts.timeoutMs });
    return { id, by: r.by };
  }
  if ((await guestStatus(g, gid)).state === 'stopped') return { id, by: 'notRunning' };
  if (opts.force) await g.lxc.forceStop(id);
  else await g.lxc.stop(id, { timeoutMs: opts.timeoutMs });
  g.consoles.close(id);
  return { id, by: opts.force ? 'kill' : 'halt' };
}

export async function rebootGuest(g: GuestRuntime, gid: GuestId): Promise<GuestStatus> {
  const id = formatGuestId(gid);
  const s = await guestStatus(g, gid);
  if (s.state === 'stopped') throw new AgentError('guestNotRunning', `reboot of '${id}' refused: it is not running`);
  if (gid.kind === 'vm') {
    // A hard reset, as the reset button: the tiny guests have no ACPI daemon to reboot cleanly.
    await withQmp(g.qemu.paths(id).qmp, (q) => q.execute('system_reset'));
  } else {
    await g.lxc.stop(id, { timeoutMs: 10_000 });
    await g.lxc.start(id);
  }
  return guestStatus(g, gid);
}

/** Inserts or ejects the ISO: in the running VM over QMP, and in the definition for the next start. */
export async function changeCdrom(g: GuestRuntime, gid: GuestId, iso: string | null): Promise<GuestStatus> {
  const id = formatGuestId(gid);
  if (gid.kind !== 'vm') throw new AgentError('invalidInput', `CD-ROM change refused: '${id}' is a container; only VMs have a CD-ROM`);
  const spec = await g.specs.get(gid);
  if (spec.kind !== 'vm') throw noSuchGuest(id);
  if ((await g.qemu.status(id)).state !== 'stopped') {
    // A running QEMU opens the new CD with its own rights, no longer root's.
    const runAs = g.qemu.runAs;
    const denied = iso !== null && runAs !== undefined ? await grantAccess(runAs, iso, 'r') : undefined;
    if (denied !== undefined) {
      throw new AgentError(
        'cdromFailed',
        `CD-ROM change of '${id}' refused: its QEMU runs as '${runAs}', and ${denied}; change the CD while the VM is stopped`,
      );
    }
    const change = (q: QmpClient): Promise<unknown> =>
      iso === null
        ? q.execute('eject', { id: CDROM_DEVICE, force: true })
        : q.execute('blockdev-change-medium', { id: CDROM_DEVICE, filename: iso, format: 'raw', 'read-only-mode': 'read-only' });
    await withQmp(g.qemu.paths(id).qmp, change).catch((e: unknown) => {
      throw new AgentError('cdromFailed', `CD-ROM change of '${id}' failed: QEMU says: ${(e as Error).message}`);
    });
  }
  await g.specs.save(gid, { ...spec, cdrom: iso });
  return guestStatus(g, gid, spec.name);
}

export async function deleteGuest(g: GuestRuntime, gid: GuestId): Promise<void> {
  const id = formatGuestId(gid);
  const defined = await g.specs.find(gid);
  if (gid.kind === 'vm') {
    if ((await g.qemu.status(id)).state !== 'stopped') throw running(id, 'deletion');
    if (!defined) throw noSuchGuest(id);
  } else {
    const ct = await containerStatus(g, id);
    if (!ct && !defined) throw noSuchGuest(id);
    if (ct && ct.state !== 'stopped') throw running(id, 'deletion');
    if (ct) await g.lxc.destroy(id);
  }
  g.consoles.close(id);
  await g.specs.remove(gid);
}
