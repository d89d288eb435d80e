// The HA module's live state for one controller: the agent link, the loop wired to the store, the
// guests and hosts areas, the event bus, and the loop's timer.
import { moveGuest } from '../migration/move-guest.ts';
import { listNetworks } from '../networks/network-store.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import type { ControllerContext } from '../platform/types.ts';
import { findVolume, listVolumes } from '../storage/volume-store.ts';
import type { NetworkRecord, VolumeRecord } from '../../contract/storage.contract.ts';
import { agentHaLink } from './ha-agent-link-tls.ts';
import { runFenceAgent } from './fence-agent-runner.ts';
import type { HaAgentLink } from './ha-agent-link.ts';
import type { ClusterFacts } from './ha-cluster-view.ts';
import { haConfigReader } from './ha-config-store.ts';
import { HaStateRecords } from './ha-state-store.ts';
import { emitHaEvent } from './ha-event-out.ts';
import { HaLoop } from './ha-loop.ts';
import { startHaGuest, stopHaGuest } from './ha-recovery.ts';

export interface HaRuntime {
  readonly link: HaAgentLink;
  readonly loop: HaLoop;
  /** The manager's state in the store (the loop saves through it; enable and disable clear it). */
  readonly stateRecords: HaStateRecords;
  readFacts(): Promise<ClusterFacts>;
}

/** How HA talks to the agents: their HTTPS endpoints, unless a test put its own link here. */
const HA_LINK = runtimeSlot('HA agent link', (ctx: ControllerContext): HaAgentLink => agentHaLink(ctx));

/** Tests: the agent link to use instead of the agents' HTTPS endpoints (taken at each use). */
export function installHaLink(ctx: ControllerContext, link: HaAgentLink): void {
  ctx.runtimes.set(HA_LINK, link);
}

/** Volumes by name, made once per list of them (the mirror gives the same list until a volume changes). */
const volumesByName = new WeakMap<readonly VolumeRecord[], ReadonlyMap<string, VolumeRecord>>();

function indexVolumes(volumes: readonly VolumeRecord[]): ReadonlyMap<string, VolumeRecord> {
  let byName = volumesByName.get(volumes);
  if (!byName) volumesByName.set(volumes, (byName = new Map(volumes.map((v) => [v.name, v]))));
  return byName;
}

/** Networks by name, the same map while they are unchanged (the HA view remembers agility per map). */
let networksMemo: { text: string; byName: ReadonlyMap<string, NetworkRecord> } | undefined;

function indexNetworks(networks: readonly NetworkRecord[]): ReadonlyMap<string, NetworkRecord> {
  const text = JSON.stringify(networks);
  if (networksMemo?.text !== text) networksMemo = { text, byName: new Map(networks.map((n) => [n.name, n])) };
  return networksMemo.byName;
}

export async function clusterFacts(ctx: ControllerContext): Promise<ClusterFacts> {
  const [hosts, guests, volumes, networks] = await Promise.all([
    hostsRuntime(ctx).then((rt) => rt.cache.all()),
    guestsRuntime(ctx).repo.list(),
    listVolumes(ctx),
    listNetworks(ctx.store),
  ]);
  return { hosts, guests, volumes: indexVolumes(volumes), networks: indexNetworks(networks) };
}

const HA_RUNTIME = runtimeSlot('HA', (ctx: ControllerContext): HaRuntime => {
  // Looked up at each use, so a test can install its fake after the module started.
  const linkNow = (): HaAgentLink => ctx.runtimes.get(HA_LINK);
  const stateRecords = new HaStateRecords(ctx.store);
  const loop = new HaLoop({
    clock: ctx.clock,
    get link() {
      return linkNow();
    },
    readConfig: haConfigReader(ctx),
    readFacts: () => clusterFacts(ctx),
    isBusy: (id) => guestsRuntime(ctx).isBusy(id),
    loadState: () => stateRecords.load(),
    saveState: (state, idOf) => stateRecords.save(state, idOf),
    startGuest: (guest, hostId) => startHaGuest(ctx, guest, hostId),
    stopGuest: (guest, hostId) => stopHaGuest(ctx, guest, hostId),
    migrateGuest: (guest, hostId) => moveGuest(ctx, guest, hostId, {}),
    runFenceAgent,
    emit: (e) => emitHaEvent(ctx, e),
    heartbeatTarget: async (name) => {
      const volume = (await findVolume(ctx.store, name))?.volume;
      return volume?.url ? { url: volume.url, chap: volume.chap } : undefined;
    },
  });
  return {
    get link() {
      return linkNow();
    },
    loop,
    stateRecords,
    readFacts: () => clusterFacts(ctx),
  };
});

export const haRuntime = (ctx: ControllerContext): HaRuntime => ctx.runtimes.get(HA_RUNTIME);

/** Runs the loop every renew interval (read from the settings each time); returns the stop function. */
export function startHaLoop(ctx: ControllerContext): () => Promise<void> {
  const { loop } = haRuntime(ctx);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;
  const next = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  const tick = (): void => {
    round = (async () => {
      const started = ctx.clock.now();
      // A silent host's calls run until their time limit: the others' answers are not held up by it.
      await loop.iterate(loop.renewIntervalMs / 2);
      // The round just run set the interval (the settings', paced for the number of hosts).
      return Math.max(0, loop.renewIntervalMs - (ctx.clock.now() - started));
    })().then(
      (wait) => next(wait),
      (err: unknown) => {
        process.emitWarning(`HA loop iteration failed: ${String(err)}`);
        next(1000);
      },
    ) as Promise<void>;
  };
  next(0);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await round;
    await loop.settle();
    // Stopped because another controller leads now (or this one shuts down): start afresh next time.
    loop.forget();
  };
}
