// Creating a volume: checked and its name reserved at once (a record in state 'creating', written only
// if the name is free), then a task makes the file on the pool's host (empty, or streamed from an
// image with its SHA-256), exports it over iSCSI for iscsi pools, and marks it ready. A failure
// removes what was made: no record, no file, no target.
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import type { volumeCreateBody, VolumeRecord } from '../../contract/storage.contract.ts';
import { GrappeError, errors } from '../../core/errors.ts';
import { portalOf } from '../../core/storage/target-acl.ts';
import { assertUserVolumeName, planVolumeSize } from '../../core/storage/volume-rules.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { assertImageFileHere, getImage } from '../images/image-store.ts';
import { isoAt } from '../platform/clock.ts';
import { withRevert } from '../platform/revert.ts';
import type { ControllerContext, TaskContext } from '../platform/types.ts';
import { guestAgentFor } from './guest-agent-for.ts';
import { resolvePool } from './pools.ts';
import { applyExport } from './target-export.ts';
import { volumeKey, volumeValue } from './volume-store.ts';

type CreateBody = z.output<typeof volumeCreateBody>;

/** Checks the request and reserves the name; returns the reserved record for `runVolumeCreate`. */
export async function reserveVolume(ctx: ControllerContext, body: CreateBody): Promise<VolumeRecord> {
  assertUserVolumeName(body.name);
  const { pool, host } = await resolvePool(ctx, body.pool);
  const image = body.image === undefined ? undefined : await getImage(ctx.store, body.image);
  const sizeBytes = planVolumeSize(body.sizeMiB, image);
  if (pool.type === 'iscsi' && portalOf(host) === undefined) {
    throw new GrappeError(
      'noSanAddress',
      `cannot create volume '${body.name}' in pool '${pool.name}': storage host '${host.name}' has no SAN address to export it on`,
      { pool: pool.name },
    );
  }
  const record: VolumeRecord = {
    name: body.name,
    pool: pool.name,
    hostId: host.id,
    // Content streamed from an image keeps the image's format.
    format: image?.format ?? body.format,
    sizeBytes,
    iqn: null,
    url: null,
    attachedTo: null,
    image: image?.name ?? null,
    createdAt: isoAt(ctx.clock),
    state: 'creating',
  };
  const r = await ctx.store.txn([{ key: volumeKey(body.name), modRevision: 0 }], [{ put: volumeKey(body.name), value: volumeValue(record) }]);
  if (!r.succeeded) throw errors.duplicate('volume', body.name);
  return record;
}

/** The task's work: make the file, export it, mark it ready; undo everything on failure. */
export async function runVolumeCreate(ctx: ControllerContext, task: TaskContext, reserved: VolumeRecord): Promise<VolumeRecord> {
  const rt = await hostsRuntime(ctx);
  return withRevert({ log: task.log, events: ctx.events, subject: `volume:${reserved.name}` }, async (revert) => {
    revert.add(`the reservation of volume '${reserved.name}'`, () => ctx.store.txn([], [{ delete: volumeKey(reserved.name) }]));
    const host = rt.cache.get(reserved.hostId);
    if (!host) throw errors.noSuchHost(reserved.hostId);
    const client = guestAgentFor(ctx, host);
    const undoFile = (): Promise<unknown> => client.deleteVolume(reserved.name);
    let sizeBytes = reserved.sizeBytes;
    if (reserved.image !== null) {
      const image = await getImage(ctx.store, reserved.image);
      await assertImageFileHere(image);
      await task.progress(0.1, `copying image '${image.name}' to host '${host.name}'`);
      const info = await client.uploadVolume(reserved.name, {
        format: reserved.format,
        sha256: image.sha256,
        body: createReadStream(image.path),
        sizeBytes: image.fileBytes,
      });
      revert.add(`the file of volume '${reserved.name}' on '${host.name}'`, undoFile);
      sizeBytes = info.sizeBytes;
      if (reserved.sizeBytes > info.sizeBytes) sizeBytes = (await client.resizeVolume(reserved.name, reserved.sizeBytes)).sizeBytes;
    } else {
      await task.progress(0.1, `creating the ${reserved.format} file on host '${host.name}'`);
      const info = await client.createVolume(reserved.name, { sizeBytes: reserved.sizeBytes, format: reserved.format });
      revert.add(`the file of volume '${reserved.name}' on '${host.name}'`, undoFile);
      sizeBytes = info.sizeBytes;
    }
    let target: Pick<VolumeRecord, 'iqn' | 'url' | 'initiators' | 'chap'> = { iqn: null, url: null };
    const portal = portalOf(host);
    if (reserved.pool.startsWith('iscsi-') && portal) {
      await task.progress(0.8, `exporting it over iSCSI on ${portal}`);
      // Nobody may log in yet: a host is let in when a guest of the volume goes there.
      target = await applyExport(client, reserved.name, [], portal);
      revert.add(`the iSCSI export of volume '${reserved.name}'`, () => client.unexportTarget(reserved.name));
    }
    const ready: VolumeRecord = { ...reserved, sizeBytes, ...target, state: 'ready' };
    await ctx.store.txn([], [{ put: volumeKey(reserved.name), value: volumeValue(ready) }]);
    await task.log(`volume '${ready.name}' ready: ${Math.round(sizeBytes / 1048576)} MiB ${ready.format}${ready.url ? ` at ${ready.url}` : ''}`);
    return ready;
  });
}
