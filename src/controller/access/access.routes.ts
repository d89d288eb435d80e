// /users, /groups, /roles, /acl, /tokens: who may do what (Proxmox-style privileges on paths).
import { z } from 'zod';
import {
  grantRequest,
  grantView,
  groupCreateRequest,
  groupMembersRequest,
  groupView,
  passwordChangeRequest,
  roleCreateRequest,
  roleView,
  tokenCreateRequest,
  tokenCreatedView,
  tokenView,
  userCreateRequest,
  userEditRequest,
  userView,
} from '../../contract/access.contract.ts';
import { BUILTIN_ROLES, type Grant } from '../../core/access/privileges.ts';
import { GrappeError, errors } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { apiTokenKey, createApiToken } from '../auth/api-tokens.ts';
import { hashPassword, verifyPassword } from '../auth/password-hash.ts';
import { createUser, deleteUserRecord, passwordProblem, saveUser, type UserRecord } from '../auth/users.ts';
import { isoAt } from '../platform/clock.ts';
import { defineRoute } from '../platform/routes.ts';
import { readRecord, storedValue } from '../platform/stored-records.ts';
import type { Actor, ControllerContext, RouteSpec } from '../platform/types.ts';
import { accessRuntime } from './access-runtime.ts';
import { effectiveGrants, keepAnAdministrator, readModel, requireRole, requireSubject, type AccessModel } from './access-model.ts';
import { API_TOKEN_RECORD, GROUP_RECORD, GROUPS_PREFIX, listApiTokens, listGroups, ROLE_RECORD, ROLES_PREFIX, updateGrants } from './access-store.ts';

const TAGS = ['access'];
const byName = z.object({ name: z.string() });
const DAY_MS = 86_400_000;

function viewOf(u: UserRecord, groups: AccessModel['groups']): z.infer<typeof userView> {
  return {
    username: u.username,
    role: u.role,
    disabled: u.disabled,
    groups: groups.filter((g) => g.members.includes(u.username)).map((g) => g.name),
    createdAt: u.createdAt,
  };
}

const noSuchUser = (name: string) => new GrappeError('noSuchUser', `no user '${name}'`, { user: name });
const noSuchGroup = (name: string) => new GrappeError('noSuchGroup', `no group '${name}'`, { group: name });

/** The same model with one user changed (or removed: undefined), to check the last-administrator rule before writing. */
const withUser = (m: AccessModel, name: string, next: UserRecord | undefined): AccessModel => ({
  ...m,
  users: m.users.flatMap((u) => (u.username !== name ? [u] : next ? [next] : [])),
});

async function putGroup(store: Store, g: { name: string; members: readonly string[]; createdAt: string }, modRevision: number): Promise<void> {
  const key = `${GROUPS_PREFIX}${g.name}`;
  const r = await store.txn([{ key, modRevision }], [{ put: key, value: storedValue(GROUP_RECORD, g) }]);
  if (!r.succeeded)
    throw modRevision === 0
      ? errors.duplicate('group', g.name)
      : new GrappeError('concurrentChange', `group '${g.name}' changed while being edited; try again`);
}

/** Removes a user from every group, in each group's own guarded write. */
async function leaveGroups(store: Store, user: string): Promise<void> {
  for (const e of await store.list(GROUPS_PREFIX)) {
    const g = readRecord(GROUP_RECORD, e.key, e.value);
    if (g.members.includes(user)) await putGroup(store, { ...g, members: g.members.filter((m) => m !== user) }, e.modRevision);
  }
}

export const accessRoutes = (ctx: ControllerContext): RouteSpec[] => {
  const mayManage = async (actor: Actor): Promise<boolean> => (await accessRuntime(ctx)).check(actor, 'User.Modify', '/access').allowed;
  const mayRead = async (actor: Actor): Promise<boolean> => (await accessRuntime(ctx)).check(actor, 'Sys.Audit', '/access').allowed;
  const refresh = async (): Promise<void> => (await accessRuntime(ctx)).reload();

  return [
    // ── Users ──
    defineRoute({
      method: 'GET',
      url: '/users',
      summary: 'List users (name, role, disabled, groups)',
      tags: TAGS,
      errors: [],
      response: z.array(userView),
      handler: async () => {
        const m = await readModel(ctx.store);
        return { body: m.users.map((u) => viewOf(u, m.groups)) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/users',
      summary: 'Add a user (rights come from grants; role admin: every right on /)',
      tags: TAGS,
      errors: ['duplicate', 'noSuchGroup'],
      body: userCreateRequest,
      response: userView,
      audit: 'user.add',
      handler: async ({ body }) => {
        const groups = await listGroups(ctx.store);
        const missing = body.groups.find((g) => !groups.some((x) => x.name === g));
        if (missing !== undefined) throw noSuchGroup(missing);
        const user = await createUser(ctx.store, { username: body.username, password: body.password, role: body.role, createdAt: isoAt(ctx.clock) });
        for (const e of await ctx.store.list(GROUPS_PREFIX)) {
          const g = readRecord(GROUP_RECORD, e.key, e.value);
          if (body.groups.includes(g.name)) await putGroup(ctx.store, { ...g, members: [...g.members, user.username] }, e.modRevision);
        }
        await refresh();
        return { status: 201, body: viewOf(user, await listGroups(ctx.store)), auditTarget: `/users/${user.username}` };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/users/:name',
      summary: 'Show a user',
      tags: TAGS,
      errors: ['noSuchUser'],
      params: byName,
      response: userView,
      handler: async ({ params }) => {
        const m = await readModel(ctx.store);
        const u = m.users.find((x) => x.username === params.name);
        if (!u) throw noSuchUser(params.name);
        return { body: viewOf(u, m.groups) };
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: '/users/:name',
      summary: 'Disable or enable a user, or change their role (never the last administrator)',
      tags: TAGS,
      errors: ['noSuchUser', 'lastAdministrator', 'concurrentChange'],
      params: byName,
      body: userEditRequest,
      response: userView,
      audit: 'user.edit',
      handler: async ({ params, body }) => {
        const m = await readModel(ctx.store);
        const saved = await saveUser(ctx.store, params.name, (u) => {
          const next = { ...u, ...(body.disabled === undefined ? {} : { disabled: body.disabled }), ...(body.role === undefined ? {} : { role: body.role }) };
          keepAnAdministrator(m, withUser(m, params.name, next), `changing user '${params.name}'`, params.name);
          return next;
        });
        if (body.disabled) await revokeSessionsOf(ctx.store, params.name);
        await refresh();
        return { body: viewOf(saved, m.groups) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/users/:name',
      summary: 'Delete a user, their sessions, API tokens, group memberships and grants (never the last administrator)',
      tags: TAGS,
      errors: ['noSuchUser', 'lastAdministrator'],
      params: byName,
      audit: 'user.delete',
      handler: async ({ params }) => {
        const m = await readModel(ctx.store);
        if (!m.users.some((u) => u.username === params.name)) throw noSuchUser(params.name);
        keepAnAdministrator(m, withUser(m, params.name, undefined), `deleting user '${params.name}'`, params.name);
        const tokens = (await listApiTokens(ctx.store)).filter((t) => t.user === params.name);
        await ctx.store.txn(
          [],
          tokens.map((t) => ({ delete: apiTokenKey(t.id) })),
        );
        const gone = new Set([`user:${params.name}`, ...tokens.map((t) => `token:${t.id}`)]);
        await updateGrants(ctx.store, (grants) => grants.filter((g) => !gone.has(g.subject)));
        await leaveGroups(ctx.store, params.name);
        await revokeSessionsOf(ctx.store, params.name);
        await deleteUserRecord(ctx.store, params.name);
        await refresh();
        return { status: 204, body: undefined };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/users/:name/password',
      summary: "Change a password: one's own (with the current one), or anyone's with User.Modify on /access",
      tags: TAGS,
      errors: ['noSuchUser', 'badCredentials', 'concurrentChange'],
      params: byName,
      body: passwordChangeRequest,
      audit: 'user.password',
      handler: async ({ params, body, actor }) => {
        const self = actor.username === params.name && actor.token === undefined;
        if (!self && !(await mayManage(actor))) {
          throw errors.forbidden(`changing the password of '${params.name}' refused: user '${actor.username}' lacks User.Modify on /access`, {
            privilege: 'User.Modify',
            path: '/access',
          });
        }
        const problem = passwordProblem(params.name, body.password);
        if (problem) throw errors.invalidInput(`password refused: ${problem}`, { field: 'password' });
        await saveUser(ctx.store, params.name, async (u) => {
          if (self && !(await verifyPassword(body.currentPassword ?? '', u.passwordHash))) {
            throw new GrappeError('badCredentials', 'password change refused: the current password is wrong');
          }
          return { ...u, passwordHash: await hashPassword(body.password) };
        });
        return { status: 204, body: undefined };
      },
    }),

    // ── Groups ──
    defineRoute({
      method: 'GET',
      url: '/groups',
      summary: 'List groups and their members',
      tags: TAGS,
      errors: [],
      response: z.array(groupView),
      handler: async () => ({ body: await listGroups(ctx.store) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/groups',
      summary: 'Add a group',
      tags: TAGS,
      errors: ['duplicate', 'noSuchUser'],
      body: groupCreateRequest,
      response: groupView,
      audit: 'group.add',
      handler: async ({ body }) => {
        const m = await readModel(ctx.store);
        const missing = body.members.find((u) => !m.users.some((x) => x.username === u));
        if (missing !== undefined) throw noSuchUser(missing);
        const g = { name: body.name, members: [...new Set(body.members)], createdAt: isoAt(ctx.clock) };
        await putGroup(ctx.store, g, 0);
        await refresh();
        return { status: 201, body: g, auditTarget: `/groups/${g.name}` };
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/groups/:name',
      summary: "Set a group's members (never leaving the cluster without an administrator)",
      tags: TAGS,
      errors: ['noSuchGroup', 'noSuchUser', 'lastAdministrator', 'concurrentChange'],
      params: byName,
      body: groupMembersRequest,
      response: groupView,
      audit: 'group.members',
      handler: async ({ params, body }) => {
        const e = await ctx.store.get(`${GROUPS_PREFIX}${params.name}`);
        if (!e) throw noSuchGroup(params.name);
        const m = await readModel(ctx.store);
        const missing = body.members.find((u) => !m.users.some((x) => x.username === u));
        if (missing !== undefined) throw noSuchUser(missing);
        const g = { ...readRecord(GROUP_RECORD, e.key, e.value), members: [...new Set(body.members)] };
        keepAnAdministrator(m, { ...m, groups: m.groups.map((x) => (x.name === g.name ? g : x)) }, `changing group '${g.name}'`, `group ${g.name}`);
        await putGroup(ctx.store, g, e.modRevision);
        await refresh();
        return { body: g };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/groups/:name',
      summary: 'Delete a group and its grants (never the last administrators)',
      tags: TAGS,
      errors: ['noSuchGroup', 'lastAdministrator'],
      params: byName,
      audit: 'group.delete',
      handler: async ({ params }) => {
        const m = await readModel(ctx.store);
        if (!m.groups.some((g) => g.name === params.name)) throw noSuchGroup(params.name);
        const subject = `group:${params.name}`;
        keepAnAdministrator(
          m,
          { ...m, groups: m.groups.filter((g) => g.name !== params.name), grants: m.grants.filter((g) => g.subject !== subject) },
          `deleting group '${params.name}'`,
          `group ${params.name}`,
        );
        await updateGrants(ctx.store, (grants) => grants.filter((g) => g.subject !== subject));
        await ctx.store.txn([], [{ delete: `${GROUPS_PREFIX}${params.name}` }]);
        await refresh();
        return { status: 204, body: undefined };
      },
    }),

    // ── Roles ──
    defineRoute({
      method: 'GET',
      url: '/roles',
      summary: 'Roles: the built-in ones and custom ones, with their privileges',
      tags: TAGS,
      errors: [],
      response: z.array(roleView),
      handler: async () => {
        const m = await readModel(ctx.store);
        return {
          body: Object.entries(m.roles).map(([name, r]) => ({
            name,
            builtIn: name in BUILTIN_ROLES,
            what: BUILTIN_ROLES[name]?.what ?? 'custom role',
            privileges: [...r.privileges],
          })),
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/roles',
      summary: 'Add a custom role from a list of privileges',
      tags: TAGS,
      errors: ['duplicate', 'builtinRole'],
      body: roleCreateRequest,
      response: roleView,
      audit: 'role.add',
      handler: async ({ body }) => {
        if (body.name in BUILTIN_ROLES)
          throw new GrappeError('builtinRole', `role '${body.name}' is built in: it cannot be changed or deleted`, { role: body.name });
        const key = `${ROLES_PREFIX}${body.name}`;
        const record = { name: body.name, privileges: [...new Set(body.privileges)], createdAt: isoAt(ctx.clock) };
        const r = await ctx.store.txn([{ key, modRevision: 0 }], [{ put: key, value: storedValue(ROLE_RECORD, record) }]);
        if (!r.succeeded) throw errors.duplicate('role', body.name);
        await refresh();
        return {
          status: 201,
          body: { name: record.name, builtIn: false, what: 'custom role', privileges: record.privileges },
          auditTarget: `/roles/${body.name}`,
        };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/roles/:name',
      summary: 'Delete a custom role (refused while it is granted)',
      tags: TAGS,
      errors: ['noSuchRole', 'builtinRole', 'roleInUse'],
      params: byName,
      audit: 'role.delete',
      handler: async ({ params }) => {
        if (params.name in BUILTIN_ROLES)
          throw new GrappeError('builtinRole', `role '${params.name}' is built in: it cannot be changed or deleted`, { role: params.name });
        const m = await readModel(ctx.store);
        requireRole(m.roles, params.name);
        const uses = m.grants.filter((g) => g.role === params.name);
        if (uses.length > 0) {
          throw new GrappeError(
            'roleInUse',
            `role '${params.name}' is granted (${uses.map((g) => `${g.subject} on ${g.path}`).join(', ')}): revoke those grants first`,
            {
              role: params.name,
              grants: uses.length,
            },
          );
        }
        await ctx.store.txn([], [{ delete: `${ROLES_PREFIX}${params.name}` }]);
        await refresh();
        return { status: 204, body: undefined };
      },
    }),

    // ── Grants ──
    defineRoute({
      method: 'GET',
      url: '/acl',
      summary: "The grants: a role to a user, group or token on a path (and the built-in administrators')",
      tags: TAGS,
      errors: [],
      response: z.array(grantView),
      handler: async () => {
        const m = await readModel(ctx.store);
        const stored = new Set(m.grants);
        return { body: effectiveGrants(m).map((g) => ({ ...g, builtIn: !stored.has(g) })) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/acl',
      summary: 'Grant a role to a user, group or token on a path (and below it unless propagate is false)',
      tags: TAGS,
      errors: ['noSuchRole', 'noSuchUser', 'noSuchGroup', 'noSuchApiToken'],
      body: grantRequest,
      response: grantView,
      audit: 'acl.grant',
      handler: async ({ body }) => {
        const m = await readModel(ctx.store);
        requireRole(m.roles, body.role);
        await requireSubject(ctx.store, m, body.subject);
        const same = (g: Grant) => g.path === body.path && g.subject === body.subject && g.role === body.role;
        await updateGrants(ctx.store, (grants) => [...grants.filter((g) => !same(g)), body]);
        await refresh();
        return { status: 201, body: { ...body, builtIn: false }, auditTarget: `${body.subject} ${body.role} on ${body.path}` };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/acl',
      summary: 'Revoke a grant (?path=&subject=&role=); never the last administrator',
      tags: TAGS,
      errors: ['noSuchGrant', 'lastAdministrator'],
      query: z.object({ path: z.string(), subject: z.string(), role: z.string() }).strict(),
      audit: 'acl.revoke',
      handler: async ({ query }) => {
        const m = await readModel(ctx.store);
        const same = (g: Grant) => g.path === query.path && g.subject === query.subject && g.role === query.role;
        if (!m.grants.some(same)) {
          throw new GrappeError('noSuchGrant', `no grant of ${query.role} to ${query.subject} on ${query.path}`, {
            role: query.role,
            subject: query.subject,
            path: query.path,
          });
        }
        keepAnAdministrator(m, { ...m, grants: m.grants.filter((g) => !same(g)) }, `revoking ${query.role} from ${query.subject}`, query.subject);
        await updateGrants(ctx.store, (grants) => grants.filter((g) => !same(g)));
        await refresh();
        return { status: 204, body: undefined, auditTarget: `${query.subject} ${query.role} on ${query.path}` };
      },
    }),

    // ── API tokens ──
    defineRoute({
      method: 'GET',
      url: '/tokens',
      summary: "API tokens: the caller's own; everybody's with Sys.Audit on /access",
      tags: TAGS,
      errors: [],
      response: z.array(tokenView),
      handler: async ({ actor }) => {
        const all = await listApiTokens(ctx.store);
        const visible = (await mayRead(actor)) ? all : all.filter((t) => t.user === actor.username);
        return { body: visible.map(({ secretSha256: _secret, ...t }) => t) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/tokens',
      summary: 'Make an API token (shown once) with a role on a path; it never has more rights than its user',
      tags: TAGS,
      errors: ['duplicate', 'noSuchUser', 'noSuchRole'],
      body: tokenCreateRequest,
      response: tokenCreatedView,
      audit: 'token.create',
      handler: async ({ body, actor }) => {
        const user = body.user ?? actor.username;
        if ((user !== actor.username || actor.token !== undefined) && !(await mayManage(actor))) {
          throw errors.forbidden(
            `making a token for '${user}' refused: ${actor.token ? `token '${actor.token}' may not make tokens` : `user '${actor.username}' lacks User.Modify on /access`}`,
            {
              privilege: 'User.Modify',
              path: '/access',
            },
          );
        }
        const m = await readModel(ctx.store);
        if (!m.users.some((u) => u.username === user)) throw noSuchUser(user);
        if (body.role) requireRole(m.roles, body.role);
        const now = ctx.clock.now();
        const { record, secret } = await createApiToken(ctx.store, {
          user,
          name: body.name,
          createdAt: new Date(now).toISOString(),
          expiresAt: body.expiresDays ? new Date(now + body.expiresDays * DAY_MS).toISOString() : null,
          comment: body.comment,
        });
        if (body.role)
          await updateGrants(ctx.store, (grants) => [...grants, { path: body.path, subject: `token:${record.id}`, role: body.role!, propagate: true }]);
        await refresh();
        const { secretSha256: _hash, ...view } = record;
        return { status: 201, body: { ...view, secret }, auditTarget: `/tokens/${record.id}` };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/tokens/:id',
      summary: 'Revoke an API token: it stops working at once',
      tags: TAGS,
      errors: ['noSuchApiToken'],
      params: z.object({ id: z.string() }),
      audit: 'token.revoke',
      handler: async ({ params, actor }) => {
        const e = await ctx.store.get(apiTokenKey(params.id));
        const t = e ? readRecord(API_TOKEN_RECORD, e.key, e.value) : undefined;
        // Someone else's token is "not found" to a caller who may not manage tokens: its existence is not theirs to learn.
        if (!t || (t.user !== actor.username && !(await mayManage(actor))))
          throw new GrappeError('noSuchApiToken', `no API token '${params.id}'`, { token: params.id });
        await ctx.store.txn([], [{ delete: apiTokenKey(t.id) }]);
        await updateGrants(ctx.store, (grants) => grants.filter((g) => g.subject !== `token:${t.id}`));
        await refresh();
        return { status: 204, body: undefined };
      },
    }),
  ];
};

/** Ends every session of a user (their session tokens at /tokens/). */
async function revokeSessionsOf(store: Store, user: string): Promise<void> {
  const ops = (await store.list('/tokens/')).filter((e) => (e.value as { username?: unknown } | null)?.username === user).map((e) => ({ delete: e.key }));
  if (ops.length > 0) await store.txn([], ops);
}
