// /notify: targets (webhook, SMTP) and rules (event kinds → targets), and a test send per target.
import { z } from 'zod';
import { NOTIFY_KINDS, notifyTestView, ruleCreateRequest, ruleView, targetCreateRequest, targetView } from '../../contract/notify.contract.ts';
import { notifyErrors } from '../../core/notify/notify-errors.ts';
import { isoAt } from '../platform/clock.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { notifyRuntime } from './notify-runtime.ts';
import { addRule, addTarget, deleteRule, deleteTarget, lastDeliveries, listRules, listTargets, targetViewOf } from './notify-store.ts';

const TAGS = ['notifications'];
const byName = z.object({ name: z.string() });

export const notifyRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'GET',
    url: '/notify/kinds',
    summary: 'The event kinds a rule may name, and what each means',
    tags: TAGS,
    errors: [],
    response: z.array(z.object({ kind: z.string(), what: z.string() })),
    handler: async () => ({ body: NOTIFY_KINDS.map(({ kind, what }) => ({ kind, what })) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/notify/targets',
    summary: 'Notification targets, with their last delivery (secrets are never shown)',
    tags: TAGS,
    errors: [],
    response: z.array(targetView),
    handler: async () => {
      const last = await lastDeliveries(ctx.store);
      return { body: (await listTargets(ctx.store)).map((t) => targetViewOf(t, last.get(t.name))) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/notify/targets',
    summary: 'Add a notification target: a webhook (signed with HMAC-SHA256) or an SMTP relay',
    tags: TAGS,
    errors: ['notifyNameTaken'],
    body: targetCreateRequest,
    response: targetView,
    audit: 'notify.target.add',
    handler: async ({ body }) => {
      const record = { name: body.name, target: body.target, createdAt: isoAt(ctx.clock) };
      await addTarget(ctx.store, record);
      return { status: 201, body: targetViewOf(record, undefined), auditTarget: `/notify/targets/${body.name}` };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/notify/targets/:name',
    summary: 'Delete a notification target (refused while a rule sends to it)',
    tags: TAGS,
    errors: ['noSuchNotifyTarget', 'notifyTargetInUse'],
    params: byName,
    audit: 'notify.target.delete',
    handler: async ({ params }) => {
      await deleteTarget(ctx.store, params.name);
      return { status: 204, body: undefined };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/notify/targets/:name/test',
    summary: 'Send a test notification to a target now (with the usual retries) and say how it went',
    tags: TAGS,
    errors: ['noSuchNotifyTarget', 'notifyDeliveryFailed'],
    params: byName,
    response: notifyTestView,
    audit: 'notify.target.test',
    handler: async ({ params, actor }) => {
      const delivery = await (await notifyRuntime(ctx)).test(params.name, actor.username);
      if (!delivery.ok) throw notifyErrors.deliveryFailed(params.name, delivery.attempts, delivery.detail);
      return { body: { target: params.name, delivery } };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/notify/rules',
    summary: 'Notification rules: which kinds of events go to which targets',
    tags: TAGS,
    errors: [],
    response: z.array(ruleView),
    handler: async () => ({ body: await listRules(ctx.store) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/notify/rules',
    summary: 'Add a rule: events of these kinds (at least this severity) go to these targets',
    tags: TAGS,
    errors: ['notifyNameTaken', 'noSuchNotifyTarget'],
    body: ruleCreateRequest,
    response: ruleView,
    audit: 'notify.rule.add',
    handler: async ({ body }) => {
      const names = (await listTargets(ctx.store)).map((t) => t.name);
      const missing = body.targets.find((t) => !names.includes(t));
      if (missing !== undefined) throw notifyErrors.noSuchTarget(missing, names);
      const rule = { ...body, createdAt: isoAt(ctx.clock) };
      await addRule(ctx.store, rule);
      return { status: 201, body: rule, auditTarget: `/notify/rules/${body.name}` };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/notify/rules/:name',
    summary: 'Delete a notification rule',
    tags: TAGS,
    errors: ['noSuchNotifyRule'],
    params: byName,
    audit: 'notify.rule.delete',
    handler: async ({ params }) => {
      await deleteRule(ctx.store, params.name);
      return { status: 204, body: undefined };
    },
  }),
];
