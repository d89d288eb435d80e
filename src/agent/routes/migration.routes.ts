// Live migration on this host: as destination (a QEMU waiting for the guest, with empty local disks
// exported over NBD) and as source (the move running in the background, polled by the controller).
import { rm } from 'node:fs/promises';
import { incomingRequest, MIGRATION_AGENT_PATHS, migrationStartRequest, type MigrationStatus } from '../../contract/migration-agent.contract.ts';
import { formatGuestId, type GuestId } from '../../contract/shared-rules.ts';
import { AgentError } from '../agent-error.ts';
import type { Route } from '../agent-routes.ts';
import { closeIncomingNbd, openIncoming } from '../drivers/qemu-migration-incoming.ts';
import { SourceMigration } from '../drivers/qemu-migration.ts';
import type { GuestRuntime } from '../guest-runtime.ts';
import { parseJsonBody } from '../http-io.ts';
import { ensureBridge } from './bridge.routes.ts';
import { guestStatus, joinTaps } from './guest-ops.ts';
import { guestIdOf, vmDriverSpec } from './guest-specs.ts';

function vmIdOf(params: Record<string, string>): { gid: GuestId; id: string } {
  const gid = guestIdOf(params['id'] ?? '');
  const id = formatGuestId(gid);
  if (gid.kind !== 'vm') throw new AgentError('invalidInput', `live migration refused: '${id}' is a container; only VMs migrate live`);
  return { gid, id };
}

/** Undoes a destination: its QEMU, its definition here, the volumes it made. */
async function dropIncoming(g: GuestRuntime, gid: GuestId, volumes: readonly string[]): Promise<void> {
  const id = formatGuestId(gid);
  await g.qemu.forceStop(id).catch(() => undefined);
  // A destination whose migration failed may have exited by itself, leaving its run directory.
  await rm(g.qemu.paths(id).dir, { recursive: true, force: true });
  await g.specs.remove(gid);
  for (const name of volumes) {
    const v = await g.volumes.find(name);
    if (v) await g.volumes.remove(v);
  }
}

function noMigration(id: string): AgentError {
  return new AgentError('noMigration', `no live migration of '${id}' has run from this host since the connector started`);
}

export const MIGRATION_ROUTES: Route[] = [
  {
    method: 'POST',
    path: MIGRATION_AGENT_PATHS.incoming,
    access: 'controller',
    exclusive: false,
    handle: async ({ params, body }, rt) => {
      const { gid, id } = vmIdOf(params);
      const req = parseJsonBody(body, incomingRequest);
      const g = rt.guests;
      return g.locks.run(id, async () => {
        if ((await g.qemu.status(id)).state !== 'stopped')
          throw new AgentError('guestRunning', `incoming migration of '${id}' refused: it already runs on this host`);
        const made: string[] = [];
        try {
          for (const d of req.localDisks) {
            await g.volumes.create(d.volume, d.format, d.sizeBytes);
            made.push(d.volume);
          }
          await g.specs.save(gid, req.spec);
          for (const n of req.spec.nics) await ensureBridge(n.bridge);
          await g.qemu.startVm(await vmDriverSpec(gid, req.spec, g.volumes), { nbdDisks: req.localDisks.map((d) => d.index) });
          await joinTaps(
            g,
            gid,
            req.spec.nics.map((n) => n.bridge),
          );
          const answer = await openIncoming(await g.qemu.qmpSocket(id), req.address, req.localDisks);
          g.migrations.incoming.set(id, { volumes: made });
          rt.log.info('incoming migration waiting', { guest: id, uri: answer.uri, nbd: answer.nbd.length });
          return { status: 200, body: answer };
        } catch (e) {
          await dropIncoming(g, gid, made);
          throw e;
        }
      });
    },
  },
  {
    method: 'POST',
    path: MIGRATION_AGENT_PATHS.incomingFinish,
    access: 'controller',
    exclusive: false,
    handle: async ({ params }, rt) => {
      const { gid, id } = vmIdOf(params);
      const g = rt.guests;
      return g.locks.run(id, async () => {
        await closeIncomingNbd(await g.qemu.qmpSocket(id));
        g.migrations.incoming.delete(id);
        rt.log.info('incoming migration finished', { guest: id });
        return { status: 200, body: await guestStatus(g, gid) };
      });
    },
  },
  {
    method: 'DELETE',
    path: MIGRATION_AGENT_PATHS.incoming,
    access: 'controller',
    exclusive: false,
    handle: async ({ params }, rt) => {
      const { gid, id } = vmIdOf(params);
      const g = rt.guests;
      return g.locks.run(id, async () => {
        const entry = g.migrations.incoming.get(id);
        const s = await g.qemu.status(id);
        // Without our record (a restarted connector) only a QEMU still waiting is ours to drop.
        if (!entry && s.state !== 'stopped' && s.qemuStatus !== 'inmigrate') {
          throw new AgentError(
            'guestRunning',
            `abort of the incoming migration of '${id}' refused: it runs here (${s.qemuStatus ?? s.state}), not waiting for a migration`,
          );
        }
        if (!entry && s.state === 'stopped') return { status: 200, body: { aborted: false } };
        await dropIncoming(g, gid, entry?.volumes ?? []);
        g.migrations.incoming.delete(id);
        rt.log.info('incoming migration aborted', { guest: id });
        return { status: 200, body: { aborted: true } };
      });
    },
  },
  {
    method: 'POST',
    path: MIGRATION_AGENT_PATHS.migration,
    access: 'controller',
    exclusive: false,
    handle: async ({ params, body }, rt) => {
      const { gid, id } = vmIdOf(params);
      const req = parseJsonBody(body, migrationStartRequest);
      const g = rt.guests;
      const book = g.migrations;
      return g.locks.run(id, async () => {
        const running = book.outgoing.get(id);
        if (running && !running.ended)
          throw new AgentError('migrationRunning', `live migration of '${id}' refused: one is already running (${running.status.phase})`);
        const s = await g.qemu.status(id);
        if (s.state !== 'running' && s.state !== 'paused')
          throw new AgentError('guestNotRunning', `live migration of '${id}' refused: it is not running here (${s.qemuStatus ?? s.state})`);
        const job = new SourceMigration(
          id,
          await g.qemu.qmpSocket(id),
          {
            uri: req.uri,
            maxDowntimeMs: req.maxDowntimeMs,
            ...(req.bandwidthMiBps !== undefined ? { bandwidthMiBps: req.bandwidthMiBps } : {}),
            mirrors: req.mirrors,
          },
          async () => {
            // The guest left: its paused QEMU, console and definition here go (local volumes stay until the controller has recorded the move).
            await g.qemu.quitMigrated(id);
            g.consoles.close(id);
            await g.specs.remove(gid);
          },
        );
        book.outgoing.set(id, job);
        void job.done.then((st) =>
          rt.log.info('live migration ended', { guest: id, phase: st.phase, downtimeMs: st.downtimeMs, totalMs: st.totalMs, error: st.error }),
        );
        rt.log.info('live migration started', { guest: id, uri: req.uri, mirrors: req.mirrors.length });
        return { status: 202, body: job.status };
      });
    },
  },
  {
    method: 'GET',
    path: MIGRATION_AGENT_PATHS.migration,
    access: 'controller',
    exclusive: false,
    handle: async ({ params }, rt) => {
      const { id } = vmIdOf(params);
      const job = rt.guests.migrations.outgoing.get(id);
      if (!job) throw noMigration(id);
      return { status: 200, body: job.status satisfies MigrationStatus };
    },
  },
  {
    method: 'POST',
    path: MIGRATION_AGENT_PATHS.migrationCancel,
    access: 'controller',
    exclusive: false,
    handle: async ({ params }, rt) => {
      const { id } = vmIdOf(params);
      const job = rt.guests.migrations.outgoing.get(id);
      if (!job) throw noMigration(id);
      if (job.ended) throw new AgentError('migrationEnded', `cancel refused: the live migration of '${id}' already ended (${job.status.phase})`);
      await job.cancel();
      rt.log.info('live migration cancel asked', { guest: id });
      return { status: 200, body: job.status };
    },
  },
];
