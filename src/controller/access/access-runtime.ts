// The rights of every caller, kept in memory on each controller (users, groups, roles, grants; read
// again whenever one of them changes in the store), so a request's check costs no store read.
import { randomBytes } from 'node:crypto';
import { BUILTIN_ROLES, checkPrivilege, type CallerRights, type Grant, type Privilege, type Roles, type Verdict } from '../../core/access/privileges.ts';
import { ADDRESS_THROTTLE, LoginThrottle, USER_THROTTLE } from '../../core/access/login-throttle.ts';
import { GrappeError, errors } from '../../core/errors.ts';
import { listUsers, USERS_PREFIX, type UserRecord } from '../auth/users.ts';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import type { Actor, ControllerContext } from '../platform/types.ts';
import { ACCESS_PREFIX, listGroups, listRoles, readGrants } from './access-store.ts';

/** Something open (an event stream, a console) that must end when its credential or its right does. */
export interface Guarded {
  readonly actor: Actor;
  /** The stored credential it was opened with (access/tokens credentialKeyOf). */
  readonly credentialKey: string;
  readonly privilege: Privilege;
  readonly path: string;
  readonly close: (why: string) => void;
}

const TICKET_TTL_MS = 30_000;
const MAX_TICKETS = 10_000;

export class AccessCache {
  private readonly guarded = new Set<Guarded>();
  private readonly tickets = new Map<string, { actor: Actor; credentialKey: string; expiresAt: number }>();
  /** Failed logins per user name and per source address (this controller's; each counts its own). */
  readonly logins = { byUser: new LoginThrottle(USER_THROTTLE), byAddress: new LoginThrottle(ADDRESS_THROTTLE) };
  private grants: Grant[] = [];
  private roles: Roles = BUILTIN_ROLES;
  private groupsOf = new Map<string, string[]>();
  private users = new Map<string, UserRecord>();
  private loading: Promise<void> = Promise.resolve();
  private readonly unwatch: Array<() => void> = [];

  constructor(private readonly ctx: ControllerContext) {}

  async start(): Promise<void> {
    for (const prefix of [ACCESS_PREFIX, USERS_PREFIX])
      this.unwatch.push(
        this.ctx.store.watch(prefix, (e) => {
          if (e.type === 'delete') this.credentialGone(e.key);
          if (!e.key.startsWith('/access/tokens/')) void this.reload();
        }),
      );
    // Session tokens: a logout or an expiry sweep deletes them.
    this.unwatch.push(this.ctx.store.watch('/tokens/', (e) => e.type === 'delete' && this.credentialGone(e.key)));
    await this.reload();
  }

  /**
   * A one-time ticket for what a browser cannot send headers with (EventSource, WebSocket): good for
   * one use within 30 s, on this controller, standing for the caller's session or token.
   */
  issueTicket(actor: Actor, credentialKey: string, now: number): { ticket: string; expiresAt: number } {
    for (const [t, v] of this.tickets) if (v.expiresAt <= now) this.tickets.delete(t);
    if (this.tickets.size >= MAX_TICKETS) this.tickets.delete(this.tickets.keys().next().value as string);
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = now + TICKET_TTL_MS;
    this.tickets.set(ticket, { actor, credentialKey, expiresAt });
    return { ticket, expiresAt };
  }

  /** The caller a ticket stands for; it is used up. */
  redeemTicket(ticket: string, now: number): { actor: Actor; credentialKey: string } {
    const t = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (!t || t.expiresAt <= now)
      throw new GrappeError('ticketInvalid', 'the ticket is unknown, used or expired: ask for a new one (POST /api/v1/auth/ticket)');
    return t;
  }

  /** Ends `g` when its credential is deleted or its caller loses the right; returns the release. */
  guard(g: Guarded): () => void {
    this.guarded.add(g);
    return () => this.guarded.delete(g);
  }

  private credentialGone(key: string): void {
    for (const g of [...this.guarded]) {
      if (g.credentialKey !== key) continue;
      this.guarded.delete(g);
      g.close('its session or token was ended');
    }
  }

  /** After a change of users, groups, roles or grants: what was opened under a right now gone is closed. */
  private recheck(): void {
    for (const g of [...this.guarded]) {
      const u = this.users.get(g.actor.username);
      const v = this.check(g.actor, g.privilege, g.path);
      if (u && !u.disabled && v.allowed) continue;
      this.guarded.delete(g);
      g.close(!u ? 'its user was deleted' : u.disabled ? 'its user was disabled' : v.allowed ? 'revoked' : v.why);
    }
  }

  close(): void {
    for (const u of this.unwatch.splice(0)) u();
  }

  /** Reads everything again (one reload at a time; a change meanwhile is read by the next). */
  reload(): Promise<void> {
    this.loading = this.loading.then(async () => {
      try {
        const [grants, custom, groups, users] = await Promise.all([
          readGrants(this.ctx.store),
          listRoles(this.ctx.store),
          listGroups(this.ctx.store),
          listUsers(this.ctx.store),
        ]);
        this.users = new Map(users.map((u) => [u.username, u]));
        // The built-in kind of administrator holds every right on '/', whatever the grants say.
        this.grants = [
          ...grants,
          ...users.filter((u) => u.role === 'admin').map((u) => ({ path: '/', subject: `user:${u.username}`, role: 'Administrator', propagate: true })),
        ];
        this.roles = { ...Object.fromEntries(custom.map((r) => [r.name, { privileges: r.privileges }])), ...BUILTIN_ROLES };
        const groupsOf = new Map<string, string[]>();
        for (const g of groups) for (const m of g.members) groupsOf.set(m, [...(groupsOf.get(m) ?? []), g.name]);
        this.groupsOf = groupsOf;
        this.recheck();
      } catch (e) {
        this.ctx.log('error', `the access rules could not be read (the previous ones stay in force): ${String(e)}`);
      }
    });
    return this.loading;
  }

  user(name: string): UserRecord | undefined {
    return this.users.get(name);
  }

  /** The grants as they hold (the built-in administrators' included). */
  effectiveGrants(): readonly Grant[] {
    return this.grants;
  }

  check(actor: Actor, privilege: Privilege, path: string): Verdict {
    return checkPrivilege(this.grants, this.roles, this.callerOf(actor), privilege, path);
  }

  /** Throws the 403 that names the missing privilege. */
  require(actor: Actor, privilege: Privilege, path: string, action: string): void {
    const v = this.check(actor, privilege, path);
    if (!v.allowed) throw errors.forbidden(`${action} refused: ${v.why}`, { privilege, path });
  }

  /**
   * Whether the caller holds `privilege` on everything under `path`: through grants on `path` or
   * above that propagate (grants only ever add privileges). A list of 25,000 guests then needs no
   * check per guest. Asked on a child no grant can name (path segments are never empty of text).
   */
  holdsOnEveryChild(actor: Actor, privilege: Privilege, path: string): boolean {
    return this.check(actor, privilege, `${path}/\u0000`).allowed;
  }

  /** Whether the caller holds `privilege` on `path` or anywhere under it (a list they may read part of). */
  holdsAnywhereUnder(actor: Actor, privilege: Privilege, path: string): boolean {
    if (this.check(actor, privilege, path).allowed) return true;
    const below = new Set(this.grants.filter((g) => g.path.startsWith(`${path}/`)).map((g) => g.path));
    return [...below].some((p) => this.check(actor, privilege, p).allowed);
  }

  /** What the caller may do, for a client to hide or disable what it may not: its grants and their roles' privileges. */
  rightsOf(actor: Actor): CallerRights {
    const caller = this.callerOf(actor);
    const subjects = new Set([`user:${caller.user}`, ...caller.groups.map((g) => `group:${g}`), ...(caller.token ? [`token:${caller.token}`] : [])]);
    const grants = this.grants.filter((g) => subjects.has(g.subject));
    const roles = Object.fromEntries([...new Set(grants.map((g) => g.role))].map((r) => [r, { privileges: [...(this.roles[r]?.privileges ?? [])] }]));
    return { caller: { ...caller, groups: [...caller.groups] }, grants: grants.map((g) => ({ ...g })), roles };
  }

  private callerOf(actor: Actor): { user: string; groups: string[]; token?: string } {
    return { user: actor.username, groups: this.groupsOf.get(actor.username) ?? [], ...(actor.token ? { token: actor.token } : {}) };
  }
}

const ACCESS_RUNTIME = runtimeSlot('access', async (ctx: ControllerContext): Promise<AccessCache> => {
  const cache = new AccessCache(ctx);
  await cache.start();
  return cache;
});

export const accessRuntime = (ctx: ControllerContext): Promise<AccessCache> => ctx.runtimes.get(ACCESS_RUNTIME);
