// Who may do what, as stored: the grants (`/access/acl`, one record, as Proxmox keeps one user.cfg),
// groups (`/access/groups/<name>`), custom roles (`/access/roles/<name>`) and API tokens
// (`/access/tokens/<user>!<name>`, the secret kept only as its SHA-256).
import { z } from 'zod';
import { PRIVILEGE_NAMES, type Grant, type Privilege } from '../../core/access/privileges.ts';
import type { Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, updateRecord } from '../platform/stored-records.ts';

export const ACCESS_PREFIX = '/access/';
export const ACL_KEY = '/access/acl';
export const GROUPS_PREFIX = '/access/groups/';
export const ROLES_PREFIX = '/access/roles/';
export const API_TOKENS_PREFIX = '/access/tokens/';

const grant = z.object({ path: z.string(), subject: z.string(), role: z.string(), propagate: z.boolean() });

/** `/access/acl`: version 1. */
export const ACL_RECORD = defineRecordKind<{ grants: Grant[] }>({
  name: 'access control list',
  version: 1,
  migrations: {},
  schema: z.object({ grants: z.array(grant) }),
  fix: 'grant the roles again (`grappe acl grant`); the built-in admin keeps every right meanwhile',
});

export interface GroupRecord {
  readonly name: string;
  readonly members: readonly string[];
  readonly createdAt: string;
}
/** `/access/groups/<name>`: version 1. */
export const GROUP_RECORD = defineRecordKind<GroupRecord>({
  name: 'group',
  version: 1,
  migrations: {},
  schema: z.object({ name: z.string(), members: z.array(z.string()), createdAt: z.string() }),
});

export interface RoleRecord {
  readonly name: string;
  readonly privileges: readonly Privilege[];
  readonly createdAt: string;
}
/** `/access/roles/<name>`: version 1 (custom roles; the built-in ones are in core/access/privileges.ts). */
export const ROLE_RECORD = defineRecordKind<RoleRecord>({
  name: 'role',
  version: 1,
  migrations: {},
  schema: z.object({ name: z.string(), privileges: z.array(z.enum(PRIVILEGE_NAMES as [Privilege, ...Privilege[]])), createdAt: z.string() }),
});

export interface ApiTokenRecord {
  readonly id: string; // '<user>!<name>'
  readonly user: string;
  readonly secretSha256: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly comment: string;
}
/** `/access/tokens/<user>!<name>`: version 1. */
export const API_TOKEN_RECORD = defineRecordKind<ApiTokenRecord>({
  name: 'API token',
  version: 1,
  migrations: {},
  schema: z.object({
    id: z.string(),
    user: z.string(),
    secretSha256: z.string().length(64),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    comment: z.string(),
  }),
  fix: 'revoke the token (`grappe token revoke`) and make a new one',
});

export async function readGrants(store: Store): Promise<Grant[]> {
  const e = await store.get(ACL_KEY);
  return e ? readRecord(ACL_RECORD, e.key, e.value).grants : [];
}

/** Changes the grants in one guarded write; `change` may throw to refuse. */
export async function updateGrants(store: Store, change: (grants: Grant[]) => Grant[]): Promise<Grant[]> {
  return (await updateRecord(store, ACL_RECORD, ACL_KEY, (cur) => ({ grants: change([...(cur?.grants ?? [])]) })))?.grants ?? [];
}

export async function listGroups(store: Store): Promise<GroupRecord[]> {
  return (await store.list(GROUPS_PREFIX)).map((e) => readRecord(GROUP_RECORD, e.key, e.value));
}

export async function listRoles(store: Store): Promise<RoleRecord[]> {
  return (await store.list(ROLES_PREFIX)).map((e) => readRecord(ROLE_RECORD, e.key, e.value));
}

export async function listApiTokens(store: Store): Promise<ApiTokenRecord[]> {
  return (await store.list(API_TOKENS_PREFIX)).map((e) => readRecord(API_TOKEN_RECORD, e.key, e.value));
}
