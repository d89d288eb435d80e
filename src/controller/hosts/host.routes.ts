// Host routes without an agent round-trip of their own: list, show, enable, maintenance, edit, remove.
import { CONNECTOR_CALL } from '../platform/route-errors.ts';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { hostEditRequest, hostListQuery, hostSummary, hostView } from '../../contract/host.contract.ts';
import { dryRunQuery } from '../../contract/evacuation.contract.ts';
import { NEXT_CURSOR_HEADER } from '../../contract/paging.contract.ts';
import { errors } from '../../core/errors.ts';
import { assertCan, nextState, type HostAction } from '../../core/hosts/host.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { maintenancePreview } from '../evacuation/maintenance-preview.ts';
import { agentFor } from './agent-link.ts';
import { emitHostEvent } from './host-events.ts';
import { factsOf, findHost } from './host-lookup.ts';
import { GUESTS_PREFIX } from './host-record.ts';
import { hostsRuntime } from './hosts-runtime.ts';

/** Answers with already-serialized JSON (the cached views), sent as is. */
function jsonText(reply: FastifyReply, text: string | Buffer): { body: string | Buffer } {
  reply.header('content-type', 'application/json; charset=utf-8');
  return { body: text };
}

export const hostRef = z.object({ id: z.string().min(1).max(63) });
const TAGS = ['hosts'];

/** Counts guests from the store itself (not the cache): removal must not race a guest placement. */
async function storedGuestCount(ctx: ControllerContext, hostId: number): Promise<number> {
  const guests = await ctx.store.list(GUESTS_PREFIX);
  return guests.filter((g) => (g.value as { hostId?: unknown } | null)?.hostId === hostId).length;
}

function stateRoute(ctx: ControllerContext, action: Extract<HostAction, 'enable' | 'maintenance'>, summary: string): RouteSpec {
  return defineRoute({
    method: 'POST',
    url: `/hosts/:id/${action}`,
    summary,
    tags: TAGS,
    errors: ['noSuchHost', 'incorrectState', 'concurrentChange'],
    params: hostRef,
    // Maintenance has a dry run: the host's guests and what evacuating it would do; nothing changes.
    ...(action === 'maintenance' ? { query: dryRunQuery } : {}),
    response: hostView,
    audit: `host.${action}`,
    handler: async ({ params, query }) => {
      const rt = await hostsRuntime(ctx);
      const host = findHost(rt, params.id);
      if ((query as { dryRun?: boolean } | undefined)?.dryRun) return { body: await maintenancePreview(ctx, host) };
      let from = host.state;
      const updated = await rt.repo.mutate(host.id, (current) => {
        assertCan({ ...factsOf(rt, current) }, action);
        from = current.state;
        return { ...current, state: nextState(current.state, action) };
      });
      if (from !== updated.state) {
        await emitHostEvent(ctx, 'host.state', updated, `host '${updated.name}': state changed from ${from} to ${updated.state}`, {
          from,
          to: updated.state,
        });
      }
      return { body: rt.views.view(host.id), auditTarget: `host:${host.id}` };
    },
  });
}

export function hostRoutes(ctx: ControllerContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/hosts',
      summary:
        'List hosts (as onehost list: id, name, purpose, state, guests, allocated/total CPU and memory, indicators); ?view=full for whole views; filter by ?state= and ?purpose=, in pages (?limit=, ?cursor=: X-Next-Cursor)',
      tags: TAGS,
      errors: [],
      query: hostListQuery,
      response: z.array(hostSummary),
      handler: async ({ query, request, reply }) => {
        const views = (await hostsRuntime(ctx)).views;
        const { view, state, purpose, limit, cursor } = query;
        if (state !== undefined || purpose !== undefined || limit !== undefined || cursor !== undefined) {
          const page = views.pageJson(view, { state, purpose }, { limit, cursor });
          if (page.nextCursor !== null) void reply.header(NEXT_CURSOR_HEADER, String(page.nextCursor));
          return jsonText(reply, page.json);
        }
        // The whole list: one cached buffer (and its gzip), re-made only after a change.
        if (!/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return jsonText(reply, views.listJson(query.view));
        reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding');
        return jsonText(reply, views.listGzip(query.view));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/hosts/:id',
      summary: 'Show one host (by id or name)',
      tags: TAGS,
      errors: ['noSuchHost'],
      params: hostRef,
      response: hostView,
      handler: async ({ params, reply }) => {
        const rt = await hostsRuntime(ctx);
        return jsonText(reply, rt.views.json(findHost(rt, params.id).id) ?? 'null');
      },
    }),
    stateRoute(ctx, 'enable', 'Enable a host (DISABLED or MAINT → UP)'),
    stateRoute(ctx, 'maintenance', 'Put a host in maintenance (→ MAINT: never a target for placement, migration or failover)'),
    defineRoute({
      method: 'PATCH',
      url: '/hosts/:id',
      summary: 'Edit a host (its name)',
      tags: TAGS,
      errors: ['noSuchHost', 'incorrectState', 'duplicate', 'concurrentChange'],
      params: hostRef,
      body: hostEditRequest,
      response: hostView,
      audit: 'host.edit',
      handler: async ({ params, body }) => {
        const rt = await hostsRuntime(ctx);
        const host = findHost(rt, params.id);
        if (/^\d+$/.test(body.name)) throw errors.invalidInput(`a host name cannot be all digits ('${body.name}' would read as a host id)`, { field: 'name' });
        const oldName = host.name;
        const updated = await rt.repo.mutate(host.id, (current) => {
          assertCan(factsOf(rt, current), 'edit');
          return { ...current, name: body.name };
        });
        if (oldName !== updated.name) {
          await emitHostEvent(ctx, 'host.updated', updated, `host '${oldName}' renamed to '${updated.name}'`, { from: oldName, to: updated.name });
        }
        return { body: rt.views.view(host.id), auditTarget: `host:${host.id}` };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/hosts/:id',
      summary: 'Remove a host (processing hosts with no guest only); its connector is released',
      tags: TAGS,
      errors: ['noSuchHost', 'incorrectState', 'removeRefused', 'hostHasGuests', 'concurrentChange', ...CONNECTOR_CALL],
      params: hostRef,
      response: hostView,
      audit: 'host.remove',
      handler: async ({ params }) => {
        const rt = await hostsRuntime(ctx);
        const host = findHost(rt, params.id);
        const guestCount = await storedGuestCount(ctx, host.id);
        const before = rt.views.view(host.id);
        const removed = await rt.repo.remove(host.id, (current) => assertCan({ ...factsOf(rt, current), guestCount }, 'remove'));
        // The record is gone; releasing the connector is best effort (the host may be down for good).
        let released = true;
        await agentFor(ctx, removed, 3000)
          .release()
          .catch(() => {
            released = false;
          });
        await emitHostEvent(
          ctx,
          'host.removed',
          removed,
          `host '${removed.name}' removed${released ? '' : ' (its connector could not be told; it keeps its certificate until reset)'}`,
          {
            id: removed.id,
            released,
          },
        );
        return { body: before, auditTarget: `host:${removed.id}` };
      },
    }),
  ];
}
