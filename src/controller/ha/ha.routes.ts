// The HA routes under /api/v1/ha: enable/disable, status, per-guest plans, settings, simulate.
import { CONNECTOR_CALL } from '../platform/route-errors.ts';
import { z } from 'zod';
import { guestRef } from '../../contract/guest.contract.ts';
import { haEnableBody, haPlan, haSettingsBody, haSimulateBody, haSimulateResponse, haStatus as haStatusSchema } from '../../contract/ha.contract.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { disableHa, enableHa } from './ha-enable.ts';
import { setHaPlan, unsetHaPlan } from './ha-plans.ts';
import { updateHaSettings } from './ha-settings.ts';
import { simulateFailure } from './ha-simulate.ts';
import { haStatus } from './ha-status.ts';

const TAGS = ['ha'];

export function haRoutes(ctx: ControllerContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/ha/status',
      summary: 'HA status: per host network and storage heartbeats and HA state; failures tolerated now vs configured; alerts',
      tags: TAGS,
      errors: [],
      response: haStatusSchema,
      handler: async () => ({ body: await haStatus(ctx) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/ha/enable',
      summary:
        'Enable HA with a shared iSCSI heartbeat volume (≥ 356 MiB, used by nothing else): every UP processing host writes its slot and its lease is armed',
      tags: TAGS,
      errors: [
        'noSuchVolume',
        'haAlreadyEnabled',
        'haConfigChanged',
        'haHostUnreachable',
        'heartbeatVolumeInUse',
        'heartbeatVolumeNotShared',
        'heartbeatVolumeTooSmall',
        'heartbeatVolumeNotConfigured',
        ...CONNECTOR_CALL,
      ],
      body: haEnableBody,
      response: haStatusSchema,
      audit: 'ha.enable',
      handler: async ({ body }) => {
        await enableHa(ctx, body);
        return { body: await haStatus(ctx), auditTarget: `volume:${body.heartbeatVolume}` };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/ha/disable',
      summary: 'Disable HA: disarm every lease, stop the storage heartbeats, free the heartbeat volume',
      tags: TAGS,
      errors: ['haNotEnabled', ...CONNECTOR_CALL],
      response: z.object({ disabled: z.literal(true), heartbeatVolume: z.string().nullable(), notDisarmed: z.array(z.string()) }),
      audit: 'ha.disable',
      handler: async () => ({ body: await disableHa(ctx), auditTarget: 'ha' }),
    }),
    defineRoute({
      method: 'PUT',
      url: '/ha/guests/:id',
      summary:
        "Set a guest's HA plan (restart always|best-effort|never, order group, delay): refused for guests that are not agile, or when it would break the failures to tolerate",
      tags: TAGS,
      errors: ['noSuchGuest', 'notAgile', 'planBreaksTolerance', 'invalidPlan'],
      params: guestRef,
      body: haPlan,
      audit: 'ha.plan.set',
      handler: async ({ params, body }) => {
        const r = await setHaPlan(ctx, params.id, body);
        return { body: r, auditTarget: r.guest };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/ha/guests/:id',
      summary: "Remove a guest's HA plan (HA no longer restarts it)",
      tags: TAGS,
      errors: ['noSuchGuest', 'noHaPlan'],
      params: guestRef,
      audit: 'ha.plan.unset',
      handler: async ({ params }) => {
        const r = await unsetHaPlan(ctx, params.id);
        return { body: r, auditTarget: r.guest };
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/ha/settings',
      summary: 'HA settings: host failures to tolerate, CPU overcommit, timing knobs, per-host external fence agents',
      tags: TAGS,
      errors: ['noSuchHost', 'invalidHaTiming', 'toleranceTooHigh', 'haNotEnabled', ...CONNECTOR_CALL],
      body: haSettingsBody,
      response: haStatusSchema,
      audit: 'ha.settings',
      handler: async ({ body }) => {
        await updateHaSettings(ctx, body);
        return { body: await haStatus(ctx), auditTarget: 'ha' };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/ha/simulate',
      summary: 'What HA would do if these hosts failed now: the HA manager run by the simulator on a copy of the live pool (changes nothing)',
      tags: TAGS,
      errors: ['noSuchHost', 'notHaHost'],
      body: haSimulateBody,
      response: haSimulateResponse,
      handler: async ({ body }) => ({ body: await simulateFailure(ctx, body.failHosts, body.seconds) }),
    }),
  ];
}
