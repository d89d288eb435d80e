// The rights of every caller, kept in memory on each controller (users, groups, roles, grants; read
// again whenever one of them changes in the store), so a request's check costs no store read.
import { BUILTIN_ROLES, checkPrivilege, type Grant, type Privilege, type Roles, type Verdict } from '../../core/access/privileges.ts';
import { errors } from '../../core/errors.ts';
import { listUsers, USERS_PREFIX, type UserRecord } from '../auth/users.ts';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import type { Actor, ControllerContext } from '../platform/types.ts';
import { ACCESS_PREFIX, listGroups, listRoles, readGrants } from './access-store.ts';

export class AccessCache {
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
          if (!e.key.startsWith('/access/tokens/')) void this.reload();
        }),
      );
    await this.reload();
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

  /** Whether the caller holds `privilege` on `path` or anywhere under it (a list they may read part of). */
  holdsAnywhereUnder(actor: Actor, privilege: Privilege, path: string): boolean {
    if (this.check(actor, privilege, path).allowed) return true;
    const below = new Set(this.grants.filter((g) => g.path.startsWith(`${path}/`)).map((g) => g.path));
    return [...below].some((p) => this.check(actor, privilege, p).allowed);
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
