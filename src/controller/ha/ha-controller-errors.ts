// Refusals of the HA routes (the core's own are in core/ha/ha-errors.ts).
import { GrappeError } from '../../core/errors.ts';

const MiB = 1024 * 1024;

export const haRouteErrors = {
  volumeTooSmall: (name: string, sizeBytes: number, minBytes: number) =>
    new GrappeError(
      'heartbeatVolumeTooSmall',
      `cannot use volume '${name}' as the HA heartbeat volume: it is ${Math.floor(sizeBytes / MiB)} MiB, and it needs at least ${minBytes / MiB} MiB (a slot per host plus metadata)`,
      { volume: name, sizeBytes, minBytes },
    ),
  volumeNotShared: (name: string, pool: string, why: string) =>
    new GrappeError(
      'heartbeatVolumeNotShared',
      `cannot use volume '${name}' as the HA heartbeat volume: ${why}; it must be on shared iSCSI storage every processing host reaches over the SAN`,
      { volume: name, pool },
    ),
  volumeInUse: (name: string, by: string) =>
    new GrappeError(
      'heartbeatVolumeInUse',
      `cannot use volume '${name}' as the HA heartbeat volume: it is attached to guest '${by}'; HA needs a volume of its own`,
      { volume: name, attachedTo: by },
    ),
  alreadyEnabled: (volume: string | null) =>
    new GrappeError(
      'haAlreadyEnabled',
      `cannot enable HA: it is already enabled (heartbeat volume '${volume ?? '?'}'); disable it first to change the volume`,
      { volume },
    ),
  notEnabled: (action: string) =>
    new GrappeError('haNotEnabled', `cannot ${action}: HA is not enabled (run \`grappe ha enable --heartbeat-volume VOL\` first)`),
  hostUnreachable: (host: string, cause: string) =>
    new GrappeError('haHostUnreachable', `HA not enabled: host '${host}' could not be configured (${cause}); nothing was changed`, { host }),
  noPlan: (guest: string) => new GrappeError('noHaPlan', `guest '${guest}' has no HA plan`, { guest }),
  notHaHost: (host: string, state: string, purpose: string) =>
    new GrappeError(
      'notHaHost',
      `cannot simulate the failure of host '${host}': HA covers processing hosts that are UP, and it is a ${purpose} host in state ${state}`,
      { host },
    ),
  badTiming: (message: string) => new GrappeError('invalidHaTiming', message),
};

/** What a volume's `attachedTo` says while HA uses it: no guest can attach it, nobody can delete it. */
export const HA_VOLUME_MARK = 'ha:heartbeat';
