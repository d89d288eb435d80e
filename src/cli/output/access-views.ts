// Users, groups, roles, grants and API tokens as text. Pure.
import type { GrantView, UserView } from '../../contract/access.contract.ts';
import { renderTable } from './table.ts';

export function renderUserList(users: readonly UserView[]): string {
  return renderTable(
    [{ header: 'USER' }, { header: 'ROLE' }, { header: 'STATE' }, { header: 'GROUPS' }, { header: 'CREATED' }],
    users.map((u) => [u.username, u.role, u.disabled ? 'disabled' : 'enabled', u.groups.join(',') || '-', u.createdAt]),
  );
}

export function renderGroupList(groups: ReadonlyArray<{ name: string; members: readonly string[] }>): string {
  if (groups.length === 0) return 'No groups yet: add one with `grappe group add`.\n';
  return renderTable(
    [{ header: 'GROUP' }, { header: 'MEMBERS' }],
    groups.map((g) => [g.name, g.members.join(',') || '-']),
  );
}

export function renderRoleList(roles: ReadonlyArray<{ name: string; builtIn: boolean; what: string; privileges: readonly string[] }>): string {
  return renderTable(
    [{ header: 'ROLE' }, { header: 'KIND' }, { header: 'PRIVILEGES' }, { header: 'WHAT' }],
    roles.map((r) => [r.name, r.builtIn ? 'built-in' : 'custom', r.privileges.join(','), r.what]),
  );
}

export function renderGrantList(grants: readonly GrantView[]): string {
  return renderTable(
    [{ header: 'PATH' }, { header: 'SUBJECT' }, { header: 'ROLE' }, { header: 'BELOW' }, { header: 'NOTE' }],
    grants.map((g) => [g.path, g.subject, g.role, g.propagate ? 'yes' : 'no', g.builtIn ? 'built-in administrator' : '']),
  );
}

export function renderTokenList(tokens: ReadonlyArray<{ id: string; user: string; createdAt: string; expiresAt: string | null; comment: string }>): string {
  if (tokens.length === 0) return 'No API tokens.\n';
  return renderTable(
    [{ header: 'TOKEN' }, { header: 'USER' }, { header: 'CREATED' }, { header: 'EXPIRES' }, { header: 'COMMENT' }],
    tokens.map((t) => [t.id, t.user, t.createdAt, t.expiresAt ?? 'never', t.comment]),
  );
}
