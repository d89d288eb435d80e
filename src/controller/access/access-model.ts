// Reading and changing the access model with its guards: the last administrator is never removed,
// demoted or disabled; roles and subjects named by a grant exist; what goes with a user goes with them.
import { administrators, BUILTIN_ROLES, type Grant, type Roles } from '../../core/access/privileges.ts';
import { GrappeError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { listUsers, type UserRecord } from '../auth/users.ts';
import { listApiTokens, listGroups, listRoles, readGrants, type GroupRecord } from './access-store.ts';

export interface AccessModel {
  readonly users: UserRecord[];
  readonly groups: GroupRecord[];
  readonly grants: Grant[];
  readonly roles: Roles;
}

export async function readModel(store: Store): Promise<AccessModel> {
  const [users, groups, grants, custom] = await Promise.all([listUsers(store), listGroups(store), readGrants(store), listRoles(store)]);
  return { users, groups, grants, roles: { ...Object.fromEntries(custom.map((r) => [r.name, { privileges: r.privileges }])), ...BUILTIN_ROLES } };
}

/** The grants as they hold: the stored ones and the built-in administrators' every right on '/'. */
export function effectiveGrants(m: Pick<AccessModel, 'users' | 'grants'>): Grant[] {
  return [
    ...m.grants,
    ...m.users.filter((u) => u.role === 'admin').map((u) => ({ path: '/', subject: `user:${u.username}`, role: 'Administrator', propagate: true })),
  ];
}

/** Refuses a change that would leave nobody able to give rights back. */
export function keepAnAdministrator(before: AccessModel, after: AccessModel, action: string, user: string): void {
  const count = (m: AccessModel) =>
    administrators(m.users, effectiveGrants(m), m.roles, (u) => m.groups.filter((g) => g.members.includes(u)).map((g) => g.name));
  if (count(before).length > 0 && count(after).length === 0) {
    throw new GrappeError(
      'lastAdministrator',
      `${action} refused: ${user} is the last one with every right on /; grant Administrator on / to another user first`,
      {
        user,
      },
    );
  }
}

export function requireRole(roles: Roles, role: string): void {
  if (!roles[role]) throw new GrappeError('noSuchRole', `no role '${role}' (roles: ${Object.keys(roles).join(', ')})`, { role, roles: Object.keys(roles) });
}

/** A grant's subject names someone who exists. */
export async function requireSubject(store: Store, m: AccessModel, subject: string): Promise<void> {
  const [kind, name = ''] = subject.split(/:(.*)/s);
  if (kind === 'user' && !m.users.some((u) => u.username === name)) throw new GrappeError('noSuchUser', `no user '${name}'`, { user: name });
  if (kind === 'group' && !m.groups.some((g) => g.name === name)) throw new GrappeError('noSuchGroup', `no group '${name}'`, { group: name });
  if (kind === 'token' && !(await listApiTokens(store)).some((t) => t.id === name))
    throw new GrappeError('noSuchApiToken', `no API token '${name}'`, { token: name });
}
