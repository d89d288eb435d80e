// The REST calls of the Access view (users, groups, roles, grants, API tokens) and the Audit view,
// typed by the contract. The controller checks each one (User.Modify or Sys.Audit on /access).
import type { z } from 'zod';
import type {
  GrantView,
  UserView,
  grantRequest,
  groupCreateRequest,
  groupView,
  roleCreateRequest,
  roleView,
  tokenCreateRequest,
  tokenCreatedView,
  tokenView,
  userCreateRequest,
} from '../../../src/contract/access.contract.ts';
import type { AuditEntry } from '../../../src/contract/audit.contract.ts';
import { request } from './api-client.ts';

export type GroupView = z.infer<typeof groupView>;
export type RoleView = z.infer<typeof roleView>;
export type TokenView = z.infer<typeof tokenView>;
export type TokenCreated = z.infer<typeof tokenCreatedView>;
export type UserCreate = z.input<typeof userCreateRequest>;
export type GroupCreate = z.input<typeof groupCreateRequest>;
export type RoleCreate = z.input<typeof roleCreateRequest>;
export type GrantRequest = z.input<typeof grantRequest>;
export type TokenCreate = z.input<typeof tokenCreateRequest>;
export type { GrantView, UserView, AuditEntry };

export interface AuditFilter {
  user?: string;
  object?: string;
}

const enc = encodeURIComponent;

export const accessApi = {
  users: () => request<UserView[]>('GET', '/users'),
  createUser: (body: UserCreate) => request<UserView>('POST', '/users', body),
  editUser: (name: string, body: { disabled?: boolean; role?: 'admin' | 'user' }) => request<UserView>('PATCH', `/users/${enc(name)}`, body),
  deleteUser: (name: string) => request<void>('DELETE', `/users/${enc(name)}`),
  groups: () => request<GroupView[]>('GET', '/groups'),
  createGroup: (body: GroupCreate) => request<GroupView>('POST', '/groups', body),
  deleteGroup: (name: string) => request<void>('DELETE', `/groups/${enc(name)}`),
  roles: () => request<RoleView[]>('GET', '/roles'),
  createRole: (body: RoleCreate) => request<RoleView>('POST', '/roles', body),
  deleteRole: (name: string) => request<void>('DELETE', `/roles/${enc(name)}`),
  grants: () => request<GrantView[]>('GET', '/acl'),
  grant: (body: GrantRequest) => request<GrantView>('POST', '/acl', body),
  revoke: (g: Pick<GrantView, 'path' | 'subject' | 'role'>) =>
    request<void>('DELETE', `/acl?path=${enc(g.path)}&subject=${enc(g.subject)}&role=${enc(g.role)}`),
  tokens: () => request<TokenView[]>('GET', '/tokens'),
  createToken: (body: TokenCreate) => request<TokenCreated>('POST', '/tokens', body),
  revokeToken: (id: string) => request<void>('DELETE', `/tokens/${enc(id)}`),
  audit: (filter: AuditFilter, limit = 200) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (filter.user) q.set('user', filter.user);
    if (filter.object) q.set('object', filter.object);
    return request<AuditEntry[]>('GET', `/audit?${q.toString()}`);
  },
};
