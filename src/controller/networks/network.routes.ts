// Guest networks: list, create (bridge gn-<name> on each processing host, made when a guest needs it),
// delete (refused while a guest NIC is on it; `default` always stays).
import { z } from 'zod';
import { networkCreateBody, networkRecord } from '../../contract/storage.contract.ts';
import { GrappeError, errors } from '../../core/errors.ts';
import { assertNetworkName, DEFAULT_NETWORK, guestsOnNetwork } from '../../core/storage/network-rules.ts';
import { storageErrors } from '../../core/storage/storage-errors.ts';
import { GUESTS_PREFIX } from '../hosts/host-record.ts';
import { isoAt } from '../platform/clock.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { getNetwork, listNetworks, networkKey, newNetwork, putNewNetwork } from './network-store.ts';

const TAGS = ['networks'];

export function networkRoutes(ctx: ControllerContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/networks',
      summary: 'Guest networks (each a bridge gn-<name> on every processing host)',
      tags: TAGS,
      errors: [],
      response: z.array(networkRecord),
      handler: async () => ({ body: await listNetworks(ctx.store) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/networks/:name',
      summary: 'One guest network',
      tags: TAGS,
      errors: ['noSuchNetwork'],
      params: z.object({ name: z.string() }),
      response: networkRecord,
      handler: async ({ params }) => ({ body: await getNetwork(ctx.store, params.name) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/networks',
      summary: 'Create a pool-wide guest network',
      tags: TAGS,
      errors: ['duplicate'],
      body: networkCreateBody,
      response: networkRecord,
      audit: 'network.create',
      handler: async ({ body }) => {
        assertNetworkName(body.name);
        const record = newNetwork(body.name, isoAt(ctx.clock));
        if (!(await putNewNetwork(ctx.store, record))) throw errors.duplicate('network', body.name);
        return { status: 201, body: record, auditTarget: `/networks/${body.name}` };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/networks/:name',
      summary: 'Delete a guest network (refused while a guest has a NIC on it)',
      tags: TAGS,
      errors: ['noSuchNetwork', 'defaultNetwork', 'networkInUse', 'networkChanged'],
      params: z.object({ name: z.string() }),
      audit: 'network.delete',
      handler: async ({ params }) => {
        if (params.name === DEFAULT_NETWORK) {
          throw new GrappeError('defaultNetwork', `cannot delete guest network '${DEFAULT_NETWORK}': it is where guests go when no network is named`, {
            network: params.name,
          });
        }
        const e = await ctx.store.get(networkKey(params.name));
        if (!e) throw storageErrors.noSuchNetwork(params.name);
        const guests = (await ctx.store.list(GUESTS_PREFIX)).map((g) => {
          const id = (g.value as { id?: unknown } | null)?.id;
          return { id: typeof id === 'string' ? id : g.key.slice(GUESTS_PREFIX.length), value: g.value };
        });
        const users = guestsOnNetwork(guests, params.name);
        if (users.length > 0) throw storageErrors.networkInUse(params.name, users);
        const r = await ctx.store.txn([{ key: networkKey(params.name), modRevision: e.modRevision }], [{ delete: networkKey(params.name) }]);
        if (!r.succeeded) throw new GrappeError('networkChanged', `cannot delete guest network '${params.name}': it changed meanwhile; try again`);
        return { body: { deleted: params.name } };
      },
    }),
  ];
}
