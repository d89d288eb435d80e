// Pools and volumes: list, show, create (a task), resize (grow only), delete (refused while attached).
import { VOLUME_ON_HOST } from '../platform/route-errors.ts';
import { z } from 'zod';
import { volumeName } from '../../contract/guest-agent.contract.ts';
import {
  poolList,
  volumeCreateBody,
  volumeListQuery,
  volumeResizeBody,
  volumeView as volumeViewSchema,
  type VolumeRecord,
} from '../../contract/storage.contract.ts';
import { NEXT_CURSOR_HEADER } from '../../contract/paging.contract.ts';
import { pageAfter } from '../../core/paging.ts';
import { GrappeError, errors } from '../../core/errors.ts';
import { assertChangeable, assertGrow } from '../../core/storage/volume-rules.ts';
import { storageErrors } from '../../core/storage/storage-errors.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { guestAgentFor } from './guest-agent-for.ts';
import { targetRuntime } from './target-admission.ts';
import { applyExport } from './target-export.ts';
import { portalOf } from '../../core/storage/target-acl.ts';
import { listPools, resolvePool, volumeView } from './pools.ts';
import { reserveVolume, runVolumeCreate } from './volume-create.ts';
import { getVolumeEntry, listVolumes, updateVolume, volumeKey, volumeValue } from './volume-store.ts';

const TAGS = ['storage'];
const nameParams = z.object({ name: volumeName });

export function volumeRoutes(ctx: ControllerContext): RouteSpec[] {
  // The lock admission and the ACL sync take too: a resize's re-export never crosses an ACL change.
  const serial = targetRuntime(ctx).serial;
  const view = async (v: VolumeRecord): Promise<VolumeRecord> => {
    const cache = (await hostsRuntime(ctx)).cache;
    return volumeView(v, (id) => cache.get(id));
  };
  /** Read-modify-write of some fields of the latest record (a sync may have set its ACL meanwhile). */
  const setFields = async (name: string, fields: Partial<VolumeRecord>): Promise<VolumeRecord> => {
    const next = await updateVolume(ctx.store, name, fields);
    if (!next) throw storageErrors.noSuchVolume(name);
    return next;
  };
  const hostOf = async (v: VolumeRecord) => {
    const host = (await hostsRuntime(ctx)).cache.get(v.hostId);
    if (!host) throw errors.noSuchHost(v.hostId);
    return host;
  };

  return [
    defineRoute({
      method: 'GET',
      url: '/pools',
      summary: 'Storage pools: iscsi-<storage host> and local-<processing host>, made automatically',
      tags: TAGS,
      errors: [],
      response: poolList,
      handler: async () => ({ body: await listPools(ctx) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/volumes',
      summary: 'The volumes by name; filter by ?pool=, in pages (?limit=, ?cursor=: X-Next-Cursor)',
      tags: TAGS,
      errors: ['noSuchPool'],
      query: volumeListQuery,
      response: z.array(volumeViewSchema),
      handler: async ({ query, reply }) => {
        const all = await listVolumes(ctx);
        const hostId = query.pool === undefined ? undefined : (await resolvePool(ctx, query.pool)).pool.hostId;
        const inPool = hostId === undefined ? all : all.filter((v) => v.hostId === hostId);
        // The mirror keeps them by store key, /volumes/<name>: in name order already. Only the page is viewed.
        const page = pageAfter(inPool, (v) => v.name, query, { sorted: true });
        if (page.nextCursor !== null) void reply.header(NEXT_CURSOR_HEADER, page.nextCursor);
        return { body: await Promise.all(page.items.map(view)) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/volumes/:name',
      summary: 'One volume',
      tags: TAGS,
      errors: ['noSuchVolume'],
      params: nameParams,
      response: volumeViewSchema,
      handler: async ({ params }) => ({ body: await view((await getVolumeEntry(ctx.store, params.name)).volume) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/volumes',
      summary: 'Create a volume, empty or from an image; iscsi pools export it to the processing hosts (task volume.create)',
      tags: TAGS,
      errors: ['duplicate', 'noSuchPool', 'noSuchImage', 'imageFileMissing', 'noSanAddress', 'imageInUse', ...VOLUME_ON_HOST],
      body: volumeCreateBody,
      audit: 'volume.create',
      handler: async ({ body, actor }) => {
        const reserved = await reserveVolume(ctx, body);
        try {
          const taskId = await ctx.tasks.start({ kind: 'volume.create', target: `volume:${reserved.name}`, actor }, (task) =>
            runVolumeCreate(ctx, task, reserved),
          );
          return { taskId, auditTarget: `/volumes/${reserved.name}` };
        } catch (e) {
          await ctx.store.txn([], [{ delete: volumeKey(reserved.name) }]);
          throw e;
        }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/volumes/:name/resize',
      summary: 'Grow a volume (never shrink)',
      tags: TAGS,
      errors: ['volumeAttached', ...VOLUME_ON_HOST],
      params: nameParams,
      body: volumeResizeBody,
      response: volumeViewSchema,
      audit: 'volume.resize',
      handler: async ({ params, body }) =>
        serial.run(params.name, async () => {
          const { volume } = await getVolumeEntry(ctx.store, params.name);
          assertChangeable(volume, 'resize');
          const sizeBytes = assertGrow(volume.name, volume.sizeBytes, body.sizeMiB);
          const host = await hostOf(volume);
          const client = guestAgentFor(ctx, host);
          const info = await client.resizeVolume(volume.name, sizeBytes);
          let resized = await setFields(volume.name, { sizeBytes: info.sizeBytes });
          // tgtd sizes a LUN when it is exported: re-export an unused one so initiators see the new size.
          const portal = portalOf(host);
          if (resized.url !== null && resized.attachedTo === null && portal) {
            await client.unexportTarget(volume.name);
            resized = await setFields(volume.name, await applyExport(client, volume.name, resized.initiators ?? [], portal, resized.chap));
          }
          return { body: await view(resized) };
        }),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/volumes/:name',
      summary: 'Delete a volume and its iSCSI target (refused while attached to a guest)',
      tags: TAGS,
      errors: ['volumeChanged', ...VOLUME_ON_HOST],
      params: nameParams,
      audit: 'volume.delete',
      handler: async ({ params }) =>
        serial.run(params.name, async () => {
          const { volume, modRevision } = await getVolumeEntry(ctx.store, params.name);
          assertChangeable(volume, 'delete');
          // Marked first, guarded by the revision we checked: a guest cannot attach it from now on.
          const marked = await ctx.store.txn(
            [{ key: volumeKey(volume.name), modRevision }],
            [{ put: volumeKey(volume.name), value: volumeValue({ ...volume, state: 'deleting' }) }],
          );
          if (!marked.succeeded)
            throw new GrappeError('volumeChanged', `cannot delete volume '${volume.name}': it changed meanwhile (attached or resized); try again`, {
              volume: volume.name,
            });
          try {
            await guestAgentFor(ctx, await hostOf(volume))
              .deleteVolume(volume.name)
              .catch((e: unknown) => {
                if ((e as { code?: string }).code !== 'noSuchVolume') throw e; // already gone on the host: drop the record
              });
          } catch (e) {
            await setFields(volume.name, { state: 'ready' });
            throw e;
          }
          await ctx.store.txn([], [{ delete: volumeKey(volume.name) }]);
          return { body: { deleted: volume.name } };
        }),
    }),
  ];
}
