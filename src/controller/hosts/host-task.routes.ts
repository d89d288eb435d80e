// Host routes that run as tasks: add (first contact + enrollment) and update-connector.
import { CONNECTOR_CALL } from '../platform/route-errors.ts';
import { FACTORY_DEFAULT_PASSWORD } from '../../contract/agent.contract.ts';
import { hostAddRequest } from '../../contract/host.contract.ts';
import { GrappeError, errors } from '../../core/errors.ts';
import { planHostAdd } from '../../core/hosts/host-add-rules.ts';
import { randomHostName } from '../../core/hosts/random-name.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { listSubnets } from '../subnets/subnet-store.ts';
import { runHostAdd } from './host-add.task.ts';
import { factsOf, findHost } from './host-lookup.ts';
import { hostRef } from './host.routes.ts';
import { checkUpdateConnector, runUpdateConnector } from './host-update-connector.task.ts';
import { hostsRuntime } from './hosts-runtime.ts';

const TAGS = ['hosts'];

export function hostTaskRoutes(ctx: ControllerContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/hosts',
      summary: 'Add a host: contacts its connector with the host password, enrolls it, and records it DISABLED (task host.add)',
      tags: TAGS,
      errors: [
        'duplicate',
        'addInProgress',
        'alreadyEnrolled',
        'ipOutsideSubnet',
        'newPasswordRequired',
        'wrongPassword',
        'passwordChangeRequired',
        'badCertificate',
        'noSuchSubnet',
        ...CONNECTOR_CALL,
        'controllerRestarted',
      ],
      body: hostAddRequest,
      audit: 'host.add',
      handler: async ({ body, actor }) => {
        const rt = await hostsRuntime(ctx);
        const subnets = await listSubnets(ctx.store);
        const settings = planHostAdd(body, { factoryPassword: FACTORY_DEFAULT_PASSWORD, subnets });
        const name = body.name ?? randomHostName(Math.random, new Set([...rt.cache.names(), ...rt.pendingAdds]));
        if (/^\d+$/.test(name)) throw errors.invalidInput(`a host name cannot be all digits ('${name}' would read as a host id)`, { field: 'name' });
        if (await rt.repo.nameTaken(name)) throw errors.duplicate('name', name);
        if (await rt.repo.addressOwner(body.address)) throw errors.duplicate('address', body.address);
        for (const key of [name, body.address]) {
          if (rt.pendingAdds.has(key)) {
            throw new GrappeError('addInProgress', `an add of host '${name}' (${body.address}) is already running; wait for its task to end`, { key });
          }
        }
        rt.pendingAdds.add(name).add(body.address);
        const request = { ...body, port: body.port };
        const taskId = await ctx.tasks.start({ kind: 'host.add', target: `host:${name}`, actor }, async (task) => {
          try {
            return await runHostAdd(ctx, rt, { request, name, settings, subnets }, task);
          } finally {
            rt.pendingAdds.delete(name);
            rt.pendingAdds.delete(body.address);
          }
        });
        return { taskId, auditTarget: `host:${name}` };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/hosts/:id/update-connector',
      summary: 'Push the connector this controller ships to a host in MAINT (task host.update-connector)',
      tags: TAGS,
      errors: ['noSuchHost', 'incorrectState', 'alreadyUpToDate', 'updateUnsupported', 'checksumMismatch', ...CONNECTOR_CALL, 'controllerRestarted'],
      params: hostRef,
      audit: 'host.update-connector',
      handler: async ({ params, actor }) => {
        const rt = await hostsRuntime(ctx);
        const host = findHost(rt, params.id);
        checkUpdateConnector(host, factsOf(rt, host).guestCount, ctx.agentBundle.version);
        const taskId = await ctx.tasks.start({ kind: 'host.update-connector', target: `host:${host.id}`, actor }, (task) =>
          runUpdateConnector(ctx, rt, host, task),
        );
        return { taskId, auditTarget: `host:${host.id}` };
      },
    }),
  ];
}
