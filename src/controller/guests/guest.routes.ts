// /api/v1/guests: create, list, show, power actions, CD, delete. Changes run as tasks (202 + Location).
import { GUEST_ON_HOST, PLACEMENT, VOLUME_ON_HOST } from '../platform/route-errors.ts';
import { z } from 'zod';
import {
  guestCdBody,
  guestCreateRequest,
  guestList,
  guestListQuery,
  guestRef,
  guestStopBody,
  guestView,
  type GuestView,
} from '../../contract/guest.contract.ts';
import { NEXT_CURSOR_HEADER } from '../../contract/paging.contract.ts';
import { accessRuntime } from '../access/access-runtime.ts';
import { findHost } from '../hosts/host-lookup.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { cdWork, deleteWork, rebootWork, startGuestAction, startWork, stopWork } from './guest-actions.ts';
import { recordState } from './guest-state.ts';
import { startGuestCreate } from './guest-create.ts';
import { guestPage } from './guest-list.ts';
import { liveStatuses, toGuestView } from './guest-live.ts';
import type { GuestRecord } from './guest-record.ts';
import { guestsRuntime } from './guests-runtime.ts';
import { migrateRoutes } from '../migration/migrate.routes.ts';
import { pacedPeriodMs } from '../../core/pacing.ts';
import { HA_LEASES_PER_SECOND } from '../../core/ha/ha-pacing.ts';

const TAGS = ['guests'];
/**
 * A page of the guest list shows live states read at most this long ago (by HA's leases, the
 * monitors or an earlier page): 2 s, or two HA rounds once the round is paced (past 1,000 hosts),
 * since the leases bring each host's listing once a round; a shorter limit made pages ask the
 * hosts themselves, a TLS connection each (an eighth of the controller's CPU at 2,500 hosts).
 */
const listLiveMaxAgeMs = (hosts: number): number => pacedPeriodMs(2_000, hosts, HA_LEASES_PER_SECOND / 2);
const noBody = z.object({}).strict().optional();

export function guestRoutes(ctx: ControllerContext): RouteSpec[] {
  const power = (action: 'start' | 'reboot', summary: string, work: typeof startWork): RouteSpec =>
    defineRoute({
      method: 'POST',
      url: `/guests/:id/${action}`,
      summary,
      tags: TAGS,
      errors: [...PLACEMENT, ...GUEST_ON_HOST],
      params: guestRef,
      body: noBody,
      audit: `guest.${action}`,
      handler: async ({ params, actor }) => {
        const { taskId, id } = await startGuestAction(ctx, actor, params.id, action, work(ctx));
        return { taskId, auditTarget: id };
      },
    });

  return [
    defineRoute({
      method: 'POST',
      url: '/guests',
      summary: 'Create a VM or container: validated and placed at once, then defined on its host (task guest.create)',
      tags: TAGS,
      errors: [
        'duplicate',
        'noFreeGuestId',
        'noSuchImage',
        'noSuchNetwork',
        'noSuchVolume',
        'noSuchPool',
        'volumeAttached',
        'noSanAddress',
        'imageInUse',
        ...PLACEMENT,
        ...GUEST_ON_HOST,
        ...VOLUME_ON_HOST,
      ],
      body: guestCreateRequest,
      audit: 'guest.create',
      handler: async ({ body, actor }) => {
        const { taskId, id } = await startGuestCreate(ctx, actor, body);
        return { taskId, auditTarget: id };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/guests',
      summary: 'List the guests the caller may see (VM.Audit), with their live state from the agents; filter by host and state, in pages',
      tags: TAGS,
      errors: ['noSuchHost'],
      query: guestListQuery,
      response: guestList,
      handler: async ({ actor, query, reply }) => {
        const hosts = await hostsRuntime(ctx);
        const onHost = query.host === undefined ? undefined : findHost(hosts, query.host);
        const access = await accessRuntime(ctx);
        const everyGuest = access.holdsOnEveryChild(actor, 'VM.Audit', '/guests');
        const all = await guestsRuntime(ctx).repo.list();
        // Not copied when the caller sees every guest: the list is 25,000 long at scale, 50 pages a second.
        const visible =
          onHost === undefined && everyGuest
            ? all
            : all.filter((g) => (onHost === undefined || g.hostId === onHost.id) && (everyGuest || access.check(actor, 'VM.Audit', `/guests/${g.id}`).allowed));
        const viewsOf = async (guests: readonly GuestRecord[]): Promise<GuestView[]> => {
          const hostIds = [...new Set(guests.map((g) => g.hostId))];
          const live = await liveStatuses(
            ctx,
            hostIds.map((id) => hosts.cache.get(id)).filter((h) => h !== undefined),
            { maxAgeMs: listLiveMaxAgeMs(hosts.cache.size), guests },
          );
          return guests.map((g) => toGuestView(g, hosts.cache.get(g.hostId), live.get(g.hostId)));
        };
        const page = await guestPage(visible, query, viewsOf);
        if (page.nextCursor !== null) void reply.header(NEXT_CURSOR_HEADER, String(page.nextCursor));
        return { body: page.items };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/guests/:id',
      summary: 'Show a guest (vm:100, vm-100 or its name) with its live state and accelerator',
      tags: TAGS,
      errors: ['noSuchGuest'],
      params: guestRef,
      response: guestView,
      handler: async ({ params }) => {
        const cache = (await hostsRuntime(ctx)).cache;
        const g = (await guestsRuntime(ctx).repo.find(params.id)).record;
        const host = cache.get(g.hostId);
        const live = host ? (await liveStatuses(ctx, [host])).get(host.id) : undefined;
        return { body: toGuestView(g, host, live) };
      },
    }),
    power('start', 'Start a guest; its host must be UP (task guest.start)', startWork),
    power('reboot', 'Reboot a running guest (task guest.reboot)', rebootWork),
    defineRoute({
      method: 'POST',
      url: '/guests/:id/stop',
      summary: 'Shut a guest down cleanly, hard stop after timeoutMs (task guest.stop)',
      tags: TAGS,
      errors: GUEST_ON_HOST,
      params: guestRef,
      body: guestStopBody.optional(),
      audit: 'guest.stop',
      handler: async ({ params, body, actor }) => {
        const { taskId, id } = await startGuestAction(ctx, actor, params.id, 'stop', stopWork(ctx, { force: false, timeoutMs: body?.timeoutMs ?? 30_000 }));
        return { taskId, auditTarget: id };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/guests/:id/force-stop',
      summary: 'Pull the plug of a guest at once (task guest.force-stop)',
      tags: TAGS,
      errors: GUEST_ON_HOST,
      params: guestRef,
      body: noBody,
      audit: 'guest.force-stop',
      handler: async ({ params, actor }) => {
        const { taskId, id } = await startGuestAction(ctx, actor, params.id, 'force-stop', stopWork(ctx, { force: true, timeoutMs: 0 }));
        return { taskId, auditTarget: id };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/guests/:id/cd',
      summary: 'Insert an image in a VM\'s CD-ROM drive, or eject it with {"image": null} (task guest.cd)',
      tags: TAGS,
      errors: ['noSuchImage', 'cdromFailed', ...GUEST_ON_HOST],
      params: guestRef,
      body: guestCdBody,
      audit: 'guest.cd',
      handler: async ({ params, body, actor }) => {
        const { taskId, id } = await startGuestAction(ctx, actor, params.id, 'cd', cdWork(ctx, body.image));
        return { taskId, auditTarget: id };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/guests/:id',
      summary: 'Delete a stopped guest; frees its volumes and MACs (task guest.delete)',
      tags: TAGS,
      errors: ['noHaPlan', ...GUEST_ON_HOST, ...VOLUME_ON_HOST],
      params: guestRef,
      audit: 'guest.delete',
      handler: async ({ params, actor }) => {
        // The recorded state may lag: ask the host first, so a running guest is refused at once.
        const rt = guestsRuntime(ctx);
        const g = (await rt.repo.find(params.id)).record;
        const host = (await hostsRuntime(ctx)).cache.get(g.hostId);
        const live = host ? (await liveStatuses(ctx, [host])).get(host.id) : undefined;
        if (live && !rt.isBusy(g.id)) await recordState(ctx, g, live.get(g.id), 'seen before delete');
        const { taskId, id } = await startGuestAction(ctx, actor, params.id, 'delete', deleteWork(ctx));
        return { taskId, auditTarget: id };
      },
    }),
    ...migrateRoutes(ctx),
  ];
}
