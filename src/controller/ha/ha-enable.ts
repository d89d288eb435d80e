// Enabling and disabling HA on the pool. Enable: the heartbeat volume is checked (shared iSCSI, big
// enough, used by nothing), marked as HA's in the same transaction that turns HA on, then every UP
// processing host is told to write its slot and its lease is armed; if any host fails, all of it is
// undone. Disable: leases are disarmed and storage heartbeats stopped everywhere, the volume freed.
import { withRevert } from '../platform/revert.ts';
import { settleLimited } from '../../core/limited.ts';
import { HA_MIN_HEARTBEAT_VOLUME_BYTES } from '../../contract/ha-agent.contract.ts';
import type { HaConfigRecord } from '../../contract/ha.contract.ts';
import type { VolumeRecord } from '../../contract/storage.contract.ts';
import { GrappeError } from '../../core/errors.ts';
import { checkToleranceSetting } from '../../core/ha/plan-rules.ts';
import { storageErrors } from '../../core/storage/storage-errors.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { ControllerContext } from '../platform/types.ts';
import { getVolumeEntry, volumeKey, volumeValue } from '../storage/volume-store.ts';
import { heartbeatRequest, type HaHostRef, type HeartbeatTarget } from './ha-agent-link.ts';
import { admitHost } from '../storage/target-admission.ts';
import { capacityFacts, haGuestsOf, isHaHost, type ClusterFacts } from './ha-cluster-view.ts';
import { HA_CONFIG_KEY, haConfigValue, readHaConfigEntry } from './ha-config-store.ts';
import { HA_VOLUME_MARK, haRouteErrors } from './ha-controller-errors.ts';
import { haRuntime } from './ha-runtime.ts';

const AGENT_TIMEOUT_MS = 5_000;
/** Hosts configured at once: thousands at once would spend the timeouts in the controller's own queue. */
const HOSTS_AT_ONCE = 32;

const refOf = (h: HostRecord): HaHostRef => ({ id: h.id, name: h.name, address: h.address, port: h.port });
const causeOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The refusals of a heartbeat volume, in the order an admin fixes them. */
export function checkHeartbeatVolume(v: VolumeRecord): void {
  if (v.state === 'creating' || v.state === 'deleting') throw storageErrors.volumeBusy(v.name, 'attach', v.state);
  if (!v.pool.startsWith('iscsi-')) throw haRouteErrors.volumeNotShared(v.name, v.pool, `it is in the local pool '${v.pool}', which only its own host opens`);
  if (v.url === null) throw haRouteErrors.volumeNotShared(v.name, v.pool, 'it is not exported over iSCSI yet (no processing host has a SAN address)');
  if (v.sizeBytes < HA_MIN_HEARTBEAT_VOLUME_BYTES) throw haRouteErrors.volumeTooSmall(v.name, v.sizeBytes, HA_MIN_HEARTBEAT_VOLUME_BYTES);
  if (v.attachedTo !== null) throw haRouteErrors.volumeInUse(v.name, v.attachedTo);
}

/** Each UP processing host writes its slot of the volume and gets an armed lease; all or nothing. */
async function armHosts(ctx: ControllerContext, cfg: HaConfigRecord, facts: ClusterFacts, target: HeartbeatTarget): Promise<void> {
  const { link } = haRuntime(ctx);
  const hosts = facts.hosts.filter((h) => h.purpose === 'processing' && h.state === 'UP');
  // Grouped once: filtering every guest for each host was O(hosts × guests) at enable.
  const guestsOn = new Map<number, string[]>();
  for (const g of haGuestsOf(cfg, facts)) {
    const list = guestsOn.get(g.hostId);
    if (list) list.push(g.id);
    else guestsOn.set(g.hostId, [g.id]);
  }
  await withRevert({ events: ctx.events, subject: 'ha' }, async (revert) => {
    const outcomes = await settleLimited(hosts, HOSTS_AT_ONCE, async (h) => {
      // Undone even when the call failed: it may have been applied before its answer was lost.
      revert.add(`the storage heartbeat of '${h.name}'`, () => link.unconfigure(refOf(h), AGENT_TIMEOUT_MS));
      await link.configure(refOf(h), heartbeatRequest(target, h.id, cfg.timing.slotIntervalMs), AGENT_TIMEOUT_MS);
      const guests = guestsOn.get(h.id) ?? [];
      revert.add(`the armed lease of '${h.name}'`, () =>
        link.lease(refOf(h), { armed: false, fenceTimeoutMs: cfg.timing.fenceTimeoutMs, guests: [] }, AGENT_TIMEOUT_MS),
      );
      await link.lease(refOf(h), { armed: true, fenceTimeoutMs: cfg.timing.fenceTimeoutMs, guests }, AGENT_TIMEOUT_MS);
    });
    const firstFailure = outcomes.findIndex((o) => o.status === 'rejected');
    if (firstFailure >= 0) throw haRouteErrors.hostUnreachable(hosts[firstFailure]!.name, causeOf((outcomes[firstFailure] as PromiseRejectedResult).reason));
  });
}

/** Disarms and stops the storage heartbeat on each host; returns the hosts that did not answer. */
async function disarmHosts(ctx: ControllerContext, cfg: HaConfigRecord, hosts: readonly HostRecord[]): Promise<string[]> {
  const { link } = haRuntime(ctx);
  const outcomes = await settleLimited(hosts, HOSTS_AT_ONCE, async (h) => {
    await link.lease(refOf(h), { armed: false, fenceTimeoutMs: cfg.timing.fenceTimeoutMs, guests: [] }, AGENT_TIMEOUT_MS);
    await link.unconfigure(refOf(h), AGENT_TIMEOUT_MS);
  });
  return hosts
    .filter((_, i) => outcomes[i]!.status === 'rejected')
    .map((h) => h.name)
    .sort();
}

/** Writes HA's config and the volume's mark together, guarded by the revisions they were read at. */
async function commitConfigAndVolume(ctx: ControllerContext, cfgRev: number, cfg: HaConfigRecord, volRev: number, volume: VolumeRecord): Promise<boolean> {
  const r = await ctx.store.txn(
    [
      { key: HA_CONFIG_KEY, modRevision: cfgRev },
      { key: volumeKey(volume.name), modRevision: volRev },
    ],
    [
      { put: HA_CONFIG_KEY, value: haConfigValue(cfg) },
      { put: volumeKey(volume.name), value: volumeValue(volume) },
    ],
  );
  return r.succeeded;
}

export async function enableHa(ctx: ControllerContext, body: { heartbeatVolume: string; failuresToTolerate?: number | undefined }): Promise<HaConfigRecord> {
  const rt = haRuntime(ctx);
  return rt.loop.paused(async () => {
    const { config: current, modRevision } = await readHaConfigEntry(ctx);
    if (current.enabled) throw haRouteErrors.alreadyEnabled(current.heartbeatVolume);
    const vol = await getVolumeEntry(ctx.store, body.heartbeatVolume);
    checkHeartbeatVolume(vol.volume);
    const facts = await rt.readFacts();
    const failuresToTolerate = body.failuresToTolerate ?? current.failuresToTolerate;
    if (body.failuresToTolerate !== undefined) {
      const cap = capacityFacts(current, facts);
      checkToleranceSetting(cap.hosts, cap.guests, current.cpuOvercommit, failuresToTolerate);
    }
    const next: HaConfigRecord = { ...current, enabled: true, heartbeatVolume: vol.volume.name, failuresToTolerate };
    const marked: VolumeRecord = { ...vol.volume, attachedTo: HA_VOLUME_MARK };
    if (!(await commitConfigAndVolume(ctx, modRevision, next, vol.modRevision, marked))) {
      throw new GrappeError('haConfigChanged', `cannot enable HA: volume '${vol.volume.name}' or the HA settings changed meanwhile; try again`, {
        volume: vol.volume.name,
      });
    }
    await rt.stateRecords.clear();
    try {
      // Every processing host writes its slot: each is let into the volume's target first.
      for (const h of facts.hosts.filter((x) => x.purpose === 'processing')) await admitHost(ctx, [vol.volume.name], h);
      await armHosts(ctx, next, facts, { url: vol.volume.url as string, chap: vol.volume.chap });
    } catch (err) {
      await undoEnable(ctx, vol.volume.name);
      throw err;
    }
    await ctx.events.emit({
      type: 'ha.enabled',
      severity: 'info',
      subject: 'ha',
      message: `HA enabled: heartbeat volume '${vol.volume.name}', host failures to tolerate ${failuresToTolerate}`,
      data: { heartbeatVolume: vol.volume.name, failuresToTolerate },
    });
    return next;
  });
}

/** Back to disabled, the volume free again (what a failed enable leaves). */
async function undoEnable(ctx: ControllerContext, volume: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const { config, modRevision } = await readHaConfigEntry(ctx);
    const vol = await getVolumeEntry(ctx.store, volume).catch(() => undefined);
    const freed = vol && vol.volume.attachedTo === HA_VOLUME_MARK ? { ...vol.volume, attachedTo: null } : undefined;
    const cfg: HaConfigRecord = { ...config, enabled: false, heartbeatVolume: null };
    if (freed && vol) {
      if (await commitConfigAndVolume(ctx, modRevision, cfg, vol.modRevision, freed)) return;
    } else if ((await ctx.store.txn([{ key: HA_CONFIG_KEY, modRevision }], [{ put: HA_CONFIG_KEY, value: haConfigValue(cfg) }])).succeeded) {
      return;
    }
  }
}

export async function disableHa(ctx: ControllerContext): Promise<{ disabled: true; heartbeatVolume: string | null; notDisarmed: string[] }> {
  const rt = haRuntime(ctx);
  return rt.loop.paused(async () => {
    const { config } = await readHaConfigEntry(ctx);
    if (!config.enabled) throw haRouteErrors.notEnabled('disable HA');
    // Off first: the loop renews no lease from now on, whatever happens below.
    await undoEnable(ctx, config.heartbeatVolume ?? '');
    const facts = await rt.readFacts();
    const notDisarmed = await disarmHosts(ctx, config, facts.hosts.filter(isHaHost));
    await rt.stateRecords.clear();
    await ctx.events.emit({
      type: 'ha.disabled',
      severity: notDisarmed.length > 0 ? 'warning' : 'info',
      subject: 'ha',
      message:
        `HA disabled` +
        (notDisarmed.length > 0
          ? `; not disarmed (unreachable): ${notDisarmed.join(', ')} — their agents self-fence their HA guests when their lease runs out`
          : ''),
      data: { notDisarmed },
    });
    return { disabled: true, heartbeatVolume: config.heartbeatVolume, notDisarmed };
  });
}
