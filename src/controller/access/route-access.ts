// THE table of who may call what: every API route, the privilege it needs and the path it needs it
// on (core/access/privileges.ts says what each privilege and built-in role is). The router refuses
// to start with a route missing here, and checks each call against its line before the handler runs.
import type { Privilege } from '../../core/access/privileges.ts';
import { GuestRepo } from '../guests/guest-repo.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';

/** What a path is computed from: the route's parsed params. */
export interface AccessInput {
  readonly params: unknown;
}

type PathOf = string | ((ctx: ControllerContext, input: AccessInput) => Promise<string>);

export type AccessRule =
  /** Anyone, logged in or not (and why that is safe). */
  | { readonly public: string }
  /** Any logged-in caller: the route shows or changes only what is the caller's own (its handler checks). */
  | { readonly session: string }
  /** `privilege` on the path; `list`: held on the path or anywhere under it, and the handler leaves out the rest. */
  | { readonly privilege: Privilege; readonly on: PathOf; readonly list?: true };

const paramOf = (input: AccessInput, name: string): string => String((input.params as Record<string, unknown> | undefined)?.[name] ?? '');

/** '/hosts/<name>' of the host a route names by id or name (as given when there is no such host: the route answers 404). */
const host: PathOf = async (ctx, input) => {
  const ref = paramOf(input, 'id');
  return `/hosts/${(await hostsRuntime(ctx)).cache.find(ref)?.name ?? ref}`;
};

/** '/guests/<id>' of the guest a route names by id, number or name. */
const guest: PathOf = async (ctx, input) => {
  const ref = paramOf(input, 'id');
  const id = await new GuestRepo(ctx.store)
    .find(ref)
    .then((e) => e.record.id)
    .catch(() => ref);
  return `/guests/${id}`;
};

const read = (on: PathOf): AccessRule => ({ privilege: 'Sys.Audit', on });
const change = (on: PathOf): AccessRule => ({ privilege: 'Sys.Modify', on });
const storageRead: AccessRule = { privilege: 'Datastore.Audit', on: '/storage' };
const storageChange: AccessRule = { privilege: 'Datastore.Allocate', on: '/storage' };
const accessRead: AccessRule = { privilege: 'Sys.Audit', on: '/access' };
const accessChange: AccessRule = { privilege: 'User.Modify', on: '/access' };

export const ROUTE_ACCESS: Readonly<Record<string, AccessRule>> = {
  // Sessions and the open doors.
  'POST /auth/login': { public: 'it is how one gets a session (rate limits and lockout apply)' },
  'POST /auth/logout': { session: "ends the caller's own session" },
  'GET /auth/me': { session: 'says who the caller is and what they may do' },
  'POST /auth/ticket': { session: "a one-time stand-in for the caller's own session (EventSource, WebSocket)" },
  'GET /health': { public: 'liveness, version and the cluster identity: nothing secret' },
  'GET /openapi.json': { public: 'the API description: no data' },
  'GET /cluster/ca': { public: "the cluster CA's certificate: public by nature (a joining controller checks it)" },
  'POST /cluster/join': { public: 'authenticated by its single-use join token' },

  // The cluster: controllers, settings, logs, events.
  'GET /cluster': read('/cluster'),
  'POST /cluster/tokens': change('/cluster'),
  'DELETE /cluster/controllers/:name': change('/cluster'),
  'GET /subnets': read('/cluster'),
  'PATCH /subnets/:name': change('/cluster'),
  'GET /scheduler': read('/cluster'),
  'PUT /scheduler': change('/cluster'),
  'GET /ha/status': read('/cluster'),
  'POST /ha/enable': change('/cluster'),
  'POST /ha/disable': change('/cluster'),
  'PUT /ha/settings': change('/cluster'),
  'POST /ha/simulate': read('/cluster'),
  'PUT /ha/guests/:id': { privilege: 'VM.Config', on: guest },
  'DELETE /ha/guests/:id': { privilege: 'VM.Config', on: guest },
  'GET /notify/kinds': read('/cluster'),
  'GET /notify/targets': read('/cluster'),
  'POST /notify/targets': change('/cluster'),
  'DELETE /notify/targets/:name': change('/cluster'),
  'POST /notify/targets/:name/test': change('/cluster'),
  'GET /notify/rules': read('/cluster'),
  'POST /notify/rules': change('/cluster'),
  'DELETE /notify/rules/:name': change('/cluster'),
  'GET /audit': read('/'),
  'GET /events': read('/'),
  'GET /events/recent': read('/'),
  'GET /tasks': read('/'),
  'GET /tasks/:id': { session: 'a task is shown to whoever started it, and to those with Sys.Audit on / (the route checks)' },
  'GET /doctor': read('/'),
  'GET /logs': read('/'),
  'GET /metrics': read('/'),
  'POST /metrics/token': read('/'),
  'GET /history': read('/'),

  // Hosts.
  'GET /hosts': read('/hosts'),
  'POST /hosts': change('/hosts'),
  'GET /hosts/:id': read(host),
  'PATCH /hosts/:id': change(host),
  'DELETE /hosts/:id': change(host),
  'POST /hosts/:id/enable': change(host),
  'POST /hosts/:id/maintenance': change(host),
  'POST /hosts/:id/update-connector': change(host),
  'GET /hosts/:id/nics': read(host),
  'PUT /hosts/:id/nics/:nic': change(host),
  'GET /hosts/:id/logs': read(host),
  'POST /hosts/:id/evacuate': { privilege: 'VM.Migrate', on: host },
  'POST /hosts/:id/undo-evacuate': { privilege: 'VM.Migrate', on: host },
  'GET /evacuations': read('/hosts'),

  // Storage.
  'GET /pools': storageRead,
  'GET /volumes': storageRead,
  'GET /volumes/:name': storageRead,
  'POST /volumes': storageChange,
  'DELETE /volumes/:name': storageChange,
  'POST /volumes/:name/resize': storageChange,
  'GET /images': storageRead,
  'GET /images/:name': storageRead,
  'POST /images/build': storageChange,
  'POST /images/import': storageChange,
  'DELETE /images/:name': storageChange,
  'GET /networks': storageRead,
  'GET /networks/:name': storageRead,
  'POST /networks': storageChange,
  'DELETE /networks/:name': storageChange,

  // Guests.
  'GET /guests': { privilege: 'VM.Audit', on: '/guests', list: true },
  'POST /guests': { privilege: 'VM.Allocate', on: '/guests' },
  'GET /guests/:id': { privilege: 'VM.Audit', on: guest },
  'DELETE /guests/:id': { privilege: 'VM.Allocate', on: guest },
  'POST /guests/:id/start': { privilege: 'VM.PowerMgmt', on: guest },
  'POST /guests/:id/stop': { privilege: 'VM.PowerMgmt', on: guest },
  'POST /guests/:id/force-stop': { privilege: 'VM.PowerMgmt', on: guest },
  'POST /guests/:id/reboot': { privilege: 'VM.PowerMgmt', on: guest },
  'POST /guests/:id/cd': { privilege: 'VM.Config', on: guest },
  'POST /guests/:id/migrate': { privilege: 'VM.Migrate', on: guest },
  'POST /guests/:id/migrate/cancel': { privilege: 'VM.Migrate', on: guest },

  // Users, groups, roles, grants, API tokens.
  'GET /users': accessRead,
  'POST /users': accessChange,
  'GET /users/:name': accessRead,
  'PATCH /users/:name': accessChange,
  'DELETE /users/:name': accessChange,
  'POST /users/:name/password': { session: 'a user changes their own password; others need User.Modify on /access (the route checks)' },
  'GET /groups': accessRead,
  'POST /groups': accessChange,
  'PUT /groups/:name': accessChange,
  'DELETE /groups/:name': accessChange,
  'GET /roles': { session: 'the roles and their privileges: no data of the cluster' },
  'POST /roles': accessChange,
  'DELETE /roles/:name': accessChange,
  'GET /acl': accessRead,
  'POST /acl': accessChange,
  'DELETE /acl': accessChange,
  'GET /tokens': { session: "the caller's own tokens; everybody's with Sys.Audit on /access (the route checks)" },
  'POST /tokens': { session: 'a token for oneself (never more than one may do); for another user, User.Modify on /access (the route checks)' },
  'DELETE /tokens/:id': { session: 'one of the caller’s own tokens; any with User.Modify on /access (the route checks)' },
};

/** The rule of a route, from this table or the extra ones (tests' own modules). */
export function accessRuleOf(method: string, url: string, extra: Readonly<Record<string, AccessRule>> = {}): AccessRule | undefined {
  const key = `${method} ${url}`;
  return ROUTE_ACCESS[key] ?? extra[key];
}

export async function pathOf(rule: { on: PathOf }, ctx: ControllerContext, input: AccessInput): Promise<string> {
  return typeof rule.on === 'string' ? rule.on : rule.on(ctx, input);
}
