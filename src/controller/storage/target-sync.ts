// Keeps every iSCSI target's ACL equal to the SAN addresses of the hosts that open its volume (its
// guest's host, hosts admitted for an action in progress; every processing host for the HA heartbeat
// volume and the probe LUNs), behind its CHAP account (older volumes get one on their first pass), and
// every storage host's probe LUN in place. Runs when a host's SAN addresses or purpose change, and on a
// slow timer (to retry hosts that were down; actions admit their hosts themselves); one pass at a time,
// and a pass asked for meanwhile runs right after. Not on every change of a host's record: at 2,500
// hosts, indicators and guest states change many times a second, and back-to-back passes over every
// volume took almost half of the controller's CPU.
import type { VolumeRecord } from '../../contract/storage.contract.ts';
import { portalOf, sameList, sanIndex, sanInitiators, wantedInitiators, type AclHost } from '../../core/storage/target-acl.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import { HA_VOLUME_MARK } from '../ha/ha-controller-errors.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { turnAfter } from '../platform/next-turn.ts';
import type { ControllerContext } from '../platform/types.ts';
import { ensureProbe, listProbes } from './storage-probe.ts';
import { setVolumeAcl, targetRuntime } from './target-admission.ts';
import { findVolume, listVolumes } from './volume-store.ts';

export async function syncTargets(ctx: ControllerContext, warn: (message: string) => void): Promise<void> {
  const cache = (await hostsRuntime(ctx)).cache;
  const hosts = cache.all();
  const san = sanIndex(hosts);
  const initiators = [...san.all];
  const probes = new Map((await listProbes(ctx)).map((p) => [p.hostId, p]));
  for (const host of hosts) {
    if (host.purpose !== 'storage') continue;
    const portal = portalOf(host);
    const probe = probes.get(host.id);
    if (!portal || (probe?.chap && sameList(probe.initiators, initiators))) continue;
    await ensureProbe(ctx, host, initiators, portal, probe).catch((e: unknown) => warn(`storage probe on '${host.name}': ${String(e)}`));
  }
  const rt = targetRuntime(ctx);
  const guestHost = new Map((await guestsRuntime(ctx).repo.list()).map((g) => [g.id, g.hostId]));
  const wanted = (v: VolumeRecord): string[] =>
    wantedInitiators(
      {
        everyHost: v.attachedTo === HA_VOLUME_MARK,
        guestHostId: v.attachedTo === null ? undefined : guestHost.get(v.attachedTo),
        admitted: rt.admissions.current(v.name, ctx.clock.now()),
      },
      san,
    );
  const volumes = await listVolumes(ctx);
  for (let i = 0; i < volumes.length; i++) {
    await turnAfter(i);
    const listed = volumes[i]!;
    if ((listed.state !== undefined && listed.state !== 'ready') || !listed.pool.startsWith('iscsi-')) continue;
    if (listed.chap && sameList(listed.initiators, wanted(listed))) continue;
    // Again under the volume's lock, on its latest record: an admission may have come meanwhile.
    await rt.serial
      .run(listed.name, async () => {
        const v = (await findVolume(ctx.store, listed.name))?.volume;
        if (v && !(v.chap && sameList(v.initiators, wanted(v)))) await setVolumeAcl(ctx, v, wanted(v));
      })
      .catch((e: unknown) => warn(`ACL of volume '${listed.name}': ${String(e)}`));
  }
}

/** What of a host the ACLs depend on (sanIndex, portalOf): its purpose and SAN addresses. */
const sanFactsKey = (h: AclHost): string => `${h.purpose} ${portalOf(h) ?? ''} ${sanInitiators([h]).join(',')}`;

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
    const seen = new Map<number, string>();
    unsubscribe = rt.cache.onChange((hostId) => {
      const host = rt.cache.get(hostId);
      const facts = host ? sanFactsKey(host) : '';
      if (seen.get(hostId) === facts) return;
      if (host) seen.set(hostId, facts);
      else seen.delete(hostId);
      kick();
    });
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
