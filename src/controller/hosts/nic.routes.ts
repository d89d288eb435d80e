// A host's network interfaces: the NIC table, and attaching a NIC to a logical subnet (MAINT only).
// The agent applies the change with iproute2 first; only what it applied is stored.
import { CONNECTOR_CALL } from '../platform/route-errors.ts';
import { z } from 'zod';
import { hostNic, nicEditRequest } from '../../contract/host.contract.ts';
import { assertCan } from '../../core/hosts/host.ts';
import { nicTable, planNicEdit } from '../../core/hosts/nic-rules.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { getSubnet } from '../subnets/subnet-store.ts';
import { agentFor } from './agent-link.ts';
import { emitHostEvent } from './host-events.ts';
import { factsOf, findHost } from './host-lookup.ts';
import type { HostRecord } from './host-record.ts';
import { hostRef } from './host.routes.ts';
import { hostsRuntime, type HostsRuntime } from './hosts-runtime.ts';

const TAGS = ['hosts'];
const nicRef = hostRef.extend({ nic: z.string().min(1).max(15) });

const tableOf = (r: HostRecord) => nicTable(r.inventory?.nics ?? [], r.attachments);

/** Who else holds `ip` (another host, or another NIC of this one), as planNicEdit wants it. */
async function ipUser(rt: HostsRuntime, host: HostRecord, nic: string, ip: string): Promise<{ host: string; nic?: string } | undefined> {
  const owner = await rt.repo.addressOwner(ip);
  if (!owner || (owner.hostId === host.id && owner.nic === nic)) return undefined;
  const name = rt.cache.get(owner.hostId)?.name ?? `#${owner.hostId}`;
  return owner.nic === null ? { host: name } : { host: name, nic: owner.nic };
}

export function nicRoutes(ctx: ControllerContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/hosts/:id/nics',
      summary: "A host's network interfaces: name, logical subnet, IP, netmask, MAC, link state",
      tags: TAGS,
      errors: ['noSuchHost', ...CONNECTOR_CALL],
      params: hostRef,
      response: z.array(hostNic),
      handler: async ({ params }) => ({ body: tableOf(findHost(await hostsRuntime(ctx), params.id)) }),
    }),
    defineRoute({
      method: 'PUT',
      url: '/hosts/:id/nics/:nic',
      summary: 'Attach a NIC to a logical subnet with an IP inside it (host in MAINT); applied by the connector',
      tags: TAGS,
      errors: [
        'noSuchHost',
        'noSuchNic',
        'noSuchSubnet',
        'incorrectState',
        'ipOutsideSubnet',
        'managementNic',
        'subnetAlreadyAttached',
        'duplicate',
        'concurrentChange',
        'loopbackRefused',
        'nicVanished',
        'ipFailed',
        ...CONNECTOR_CALL,
      ],
      params: nicRef,
      body: nicEditRequest,
      response: hostNic,
      audit: 'host.edit-nic',
      handler: async ({ params, body }) => {
        const rt = await hostsRuntime(ctx);
        const host = findHost(rt, params.id);
        assertCan(factsOf(rt, host), 'edit-nic');
        const { subnet } = await getSubnet(ctx.store, body.subnet);
        const attachment = planNicEdit({
          hostName: host.name,
          hostAddress: host.address,
          nic: params.nic,
          observedNics: (host.inventory?.nics ?? []).map((n) => n.name),
          attachments: host.attachments,
          subnet,
          ip: body.ip,
          ipUsedBy: await ipUser(rt, host, params.nic, body.ip),
        });
        const applied = await agentFor(ctx, host).configureNic(params.nic, {
          addresses: [{ address: attachment.ip, prefixLength: attachment.prefixLength }],
          up: true,
        });
        const updated = await rt.repo.mutate(host.id, (current) => {
          assertCan(factsOf(rt, current), 'edit-nic');
          const inventory = current.inventory && {
            ...current.inventory,
            nics: current.inventory.nics.map((n) => (n.name === applied.name ? applied : n)),
          };
          return { ...current, inventory, attachments: { ...current.attachments, [params.nic]: attachment } };
        });
        await emitHostEvent(ctx, 'host.updated', updated, `host '${host.name}': NIC '${params.nic}' attached to ${subnet.name} with ${attachment.ip}`, {
          nic: params.nic,
          subnet: subnet.name,
          ip: attachment.ip,
        });
        return { body: tableOf(updated).find((n) => n.name === params.nic), auditTarget: `host:${host.id}` };
      },
    }),
  ];
}
