// Keeps every iSCSI target's ACL equal to the processing hosts' SAN addresses (and behind its CHAP
// account: older volumes get one on their first pass), and every storage host's
// probe LUN in place. Runs on any hosts change and on a slow timer (to retry hosts that were down);
// one pass at a time, and a pass asked for meanwhile runs right after.
import { portalOf, sameList, sanInitiators } from '../../core/storage/target-acl.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from './guest-agent-for.ts';
import { ensureProbe, listProbes } from './storage-probe.ts';
import { applyExport } from './target-export.ts';
import { listVolumes, updateVolume } from './volume-store.ts';

export async function syncTargets(ctx: ControllerContext, warn: (message: string) => void): Promise<void> {
  const cache = (await hostsRuntime(ctx)).cache;
  const hosts = cache.all();
  const initiators = sanInitiators(hosts);
  const probes = new Map((await listProbes(ctx.store)).map((p) => [p.hostId, p]));
  for (const host of hosts) {
    if (host.purpose !== 'storage') continue;
    const portal = portalOf(host);
    const probe = probes.get(host.id);
    if (!portal || (probe?.chap && sameList(probe.initiators, initiators))) continue;
    await ensureProbe(ctx, host, initiators, portal, probe).catch((e: unknown) => warn(`storage probe on '${host.name}': ${String(e)}`));
  }
  for (const v of await listVolumes(ctx.store)) {
    if ((v.state !== undefined && v.state !== 'ready') || !v.pool.startsWith('iscsi-') || (v.chap && sameList(v.initiators, initiators))) continue;
    const host = cache.get(v.hostId);
    const portal = host ? portalOf(host) : undefined;
    if (!host || !portal) continue;
    try {
      const state = await applyExport(guestAgentFor(ctx, host), v.name, initiators, portal, v.chap);
      await updateVolume(ctx.store, v.name, state);
    } catch (e) {
      warn(`ACL of volume '${v.name}' on '${host.name}': ${String(e)}`);
    }
  }
}

/** Starts the sync loop; returns its stop function. */
export function startTargetSync(ctx: ControllerContext, retryMs: number, warn: (message: string) => void): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const kick = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = syncTargets(ctx, warn)
      .catch((e: unknown) => warn(`target sync failed: ${String(e)}`))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  };
  let unsubscribe: (() => void) | undefined;
  void hostsRuntime(ctx).then((rt) => {
    if (stopped) return;
    unsubscribe = rt.cache.onChange(kick);
    kick();
  });
  const timer = setInterval(kick, retryMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    unsubscribe?.();
    await running;
  };
}
