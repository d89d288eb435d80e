// Letting a host into a volume's iSCSI target before it opens the volume (a guest created, moved or
// recovered there), and the grace during which the sync keeps it in: a move's destination logs in a
// moment after it is admitted, and the guest's record names it only once the move is done. Changes of
// one volume's target run one at a time (admission and sync), so neither undoes the other's.
import type { IscsiChap } from '../../contract/guest-agent.contract.ts';
import { portalOf, sanInitiators } from '../../core/storage/target-acl.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from './guest-agent-for.ts';
import { KeyedSerial } from './keyed-serial.ts';
import { applyExport } from './target-export.ts';
import { findVolume, updateVolume } from './volume-store.ts';

/** How long an admitted address stays in the ACL without a guest of the volume on its host (by default). */
export const ADMISSION_GRACE_MS = 10 * 60_000;

/** Admitted addresses per volume, each with the time it may be removed. */
export class Admissions {
  private readonly byVolume = new Map<string, Map<string, number>>();

  constructor(private readonly graceMs = ADMISSION_GRACE_MS) {}

  admit(volume: string, address: string, now: number): void {
    const m = this.byVolume.get(volume) ?? new Map<string, number>();
    m.set(address, now + this.graceMs);
    this.byVolume.set(volume, m);
  }

  /** The addresses still within their grace (the expired ones are forgotten). */
  current(volume: string, now: number): string[] {
    const m = this.byVolume.get(volume);
    if (!m) return [];
    for (const [address, until] of m) if (until <= now) m.delete(address);
    if (m.size === 0) this.byVolume.delete(volume);
    return [...m.keys()].sort();
  }
}

export interface TargetRuntime {
  readonly admissions: Admissions;
  /** One change of a volume's target at a time. */
  readonly serial: KeyedSerial;
}

const TARGET_RUNTIME = runtimeSlot<ControllerContext, TargetRuntime>('storage targets', (ctx) => ({
  admissions: new Admissions(ctx.settings.admissionGraceMs),
  serial: new KeyedSerial(),
}));
export const targetRuntime = (ctx: ControllerContext): TargetRuntime => ctx.runtimes.get(TARGET_RUNTIME);

/** Sets a volume's ACL on its storage host and records it (with the CHAP login it was exported with). */
export async function setVolumeAcl(
  ctx: ControllerContext,
  volume: { readonly name: string; readonly hostId: number; readonly chap?: IscsiChap | undefined },
  initiators: readonly string[],
): Promise<void> {
  const storage = (await hostsRuntime(ctx)).cache.get(volume.hostId);
  const portal = storage ? portalOf(storage) : undefined;
  if (!storage || !portal) return; // not exported yet: using it is refused with that reason (diskFor)
  const state = await applyExport(guestAgentFor(ctx, storage), volume.name, initiators, portal, volume.chap);
  await updateVolume(ctx.store, volume.name, state);
}

/**
 * Lets `host` log in to the targets of these volumes before it opens them. Local volumes and volumes
 * whose ACL has the host already are left alone.
 */
export async function admitHost(ctx: ControllerContext, volumes: readonly string[], host: HostRecord): Promise<void> {
  const address = sanInitiators([host])[0];
  if (address === undefined) return; // without a SAN address it cannot log in anyway: the start says why
  const rt = targetRuntime(ctx);
  for (const name of volumes) {
    await rt.serial.run(name, async () => {
      const v = (await findVolume(ctx.store, name))?.volume;
      if (!v || !v.pool.startsWith('iscsi-')) return;
      rt.admissions.admit(name, address, ctx.clock.now());
      const acl = v.initiators ?? [];
      if (acl.includes(address)) return;
      await setVolumeAcl(ctx, v, [...acl, address].sort());
    });
  }
}
