// Logical subnets: list, and change a CIDR. A change that would leave an attached NIC outside the
// subnet is refused, naming the host and NIC; the check and the write are one transaction guarded by
// the revisions of the subnet and of every host with a NIC on it.
import { z } from 'zod';
import { subnet, subnetEdit, subnetName } from '../../contract/subnet.contract.ts';
import { GrappeError } from '../../core/errors.ts';
import { nicsOutside } from '../../core/hosts/nic-rules.ts';
import { checkLogicalSubnets } from '../../core/net/logical-subnets.ts';
import { hostKey } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { getSubnet, listSubnets, subnetKey, subnetValue } from './subnet-store.ts';

const TAGS = ['subnets'];

export function subnetRoutes(ctx: ControllerContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/subnets',
      summary: 'The logical subnets (LAN, SAN, RAN) and their CIDRs',
      tags: TAGS,
      errors: [],
      response: z.array(subnet),
      handler: async () => ({ body: await listSubnets(ctx.store) }),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/subnets/:name',
      summary: "Change a logical subnet's CIDR (refused while an attached NIC would fall outside it)",
      tags: TAGS,
      errors: ['noSuchSubnet', 'nicsOutsideSubnet', 'concurrentChange'],
      params: z.object({ name: subnetName }),
      body: subnetEdit,
      response: subnet,
      audit: 'subnet.edit',
      handler: async ({ params, body }) => {
        const rt = await hostsRuntime(ctx);
        for (let attempt = 0; attempt < 5; attempt++) {
          const { subnet: current, modRevision } = await getSubnet(ctx.store, params.name);
          const others = (await listSubnets(ctx.store)).filter((s) => s.name !== params.name);
          checkLogicalSubnets([...others, { name: params.name, cidr: body.cidr }]);
          const hosts = rt.cache.all();
          const stranded = nicsOutside(params.name, body.cidr, hosts);
          if (stranded.length > 0) {
            const list = stranded.map((s) => `NIC '${s.nic}' of host '${s.host}' (${s.ip})`).join(', ');
            throw new GrappeError('nicsOutsideSubnet', `cannot change ${params.name} to ${body.cidr}: ${list} would fall outside it; move them first`, {
              nics: stranded,
            });
          }
          const next = { ...current, cidr: body.cidr };
          const users = hosts.filter((h) => Object.values(h.attachments).some((a) => a.subnet === params.name));
          const result = await ctx.store.txn(
            [{ key: subnetKey(params.name), modRevision }, ...users.map((h) => ({ key: hostKey(h.id), modRevision: rt.cache.revisionOf(h.id) }))],
            [{ put: subnetKey(params.name), value: subnetValue(next) }],
          );
          if (result.succeeded) {
            await ctx.events.emit({
              type: 'subnet.updated',
              severity: 'info',
              subject: `subnet:${params.name}`,
              message: `subnet ${params.name} changed from ${current.cidr} to ${body.cidr}`,
              data: { from: current.cidr, to: body.cidr },
            });
            return { body: next, auditTarget: `subnet:${params.name}` };
          }
        }
        throw new GrappeError('concurrentChange', `subnet ${params.name} or one of its hosts changed while being edited; try again`);
      },
    }),
  ];
}
