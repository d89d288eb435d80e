// Users at /users/<name>: their password hash (scrypt, password-hash.ts), whether they are the
// built-in kind of administrator ('admin': every right on '/', whatever the grants say) or a 'user'
// whose rights come from grants (access/), and whether they are disabled.
import { z } from 'zod';
import { GrappeError, errors } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, storedValue } from '../platform/stored-records.ts';
import { decoyHash, hashPassword, verifyPassword } from './password-hash.ts';

export const USER_ROLES = ['admin', 'user'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const username = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9._-]*$/i, 'must start with a letter and use letters, digits, dot, dash or underscore');
export const MIN_PASSWORD_LENGTH = 8;

export interface UserRecord {
  readonly username: string;
  readonly role: UserRole;
  readonly passwordHash: string;
  readonly disabled: boolean;
  readonly createdAt: string;
}

export const USERS_PREFIX = '/users/';
const userKey = (name: string): string => `${USERS_PREFIX}${name}`;

/** `/users/<name>`: version 2 (version 1, from before users could be disabled, had no `disabled`). */
export const USER_RECORD = defineRecordKind<UserRecord>({
  name: 'user',
  version: 2,
  migrations: { 1: (old) => ({ ...old, disabled: false }) },
  schema: z.object({ username: z.string(), role: z.enum(USER_ROLES), passwordHash: z.string(), disabled: z.boolean(), createdAt: z.string() }),
  fix: 'delete the user and add it again (`grappe user delete`, `grappe user add`)',
});

/** The password rule: long enough, and not the user's name. */
export function passwordProblem(name: string, password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.toLowerCase() === name.toLowerCase()) return 'the password must not be the user name';
  return undefined;
}

export async function createUser(store: Store, user: { username: string; password: string; role: UserRole; createdAt: string }): Promise<UserRecord> {
  const name = username.safeParse(user.username);
  if (!name.success) throw errors.invalidInput(`cannot create user '${user.username}': the name ${name.error.issues[0]?.message}`, { field: 'username' });
  const problem = passwordProblem(user.username, user.password);
  if (problem) throw errors.invalidInput(`cannot create user '${user.username}': ${problem}`, { field: 'password' });
  const record: UserRecord = {
    username: user.username,
    role: user.role,
    passwordHash: await hashPassword(user.password),
    disabled: false,
    createdAt: user.createdAt,
  };
  const { succeeded } = await store.txn(
    [{ key: userKey(user.username), modRevision: 0 }],
    [{ put: userKey(user.username), value: storedValue(USER_RECORD, record) }],
  );
  if (!succeeded) throw errors.duplicate('user', user.username);
  return record;
}

export async function findUser(store: Store, name: string): Promise<UserRecord | undefined> {
  if (!username.safeParse(name).success) return undefined;
  const e = await store.get(userKey(name));
  return e ? readRecord(USER_RECORD, e.key, e.value) : undefined;
}

export async function listUsers(store: Store): Promise<UserRecord[]> {
  return (await store.list(USERS_PREFIX)).map((e) => readRecord(USER_RECORD, e.key, e.value));
}

/** Rewrites a user (guarded: a concurrent change is refused, not lost). */
export async function saveUser(store: Store, name: string, change: (u: UserRecord) => UserRecord | Promise<UserRecord>): Promise<UserRecord> {
  const e = await store.get(userKey(name));
  if (!e) throw new GrappeError('noSuchUser', `no user '${name}'`, { user: name });
  const next = await change(readRecord(USER_RECORD, e.key, e.value));
  const r = await store.txn([{ key: e.key, modRevision: e.modRevision }], [{ put: e.key, value: storedValue(USER_RECORD, next) }]);
  if (!r.succeeded) throw new GrappeError('concurrentChange', `user '${name}' changed while being edited; try again`);
  return next;
}

export async function deleteUserRecord(store: Store, name: string): Promise<void> {
  const e = await store.get(userKey(name));
  if (!e) throw new GrappeError('noSuchUser', `no user '${name}'`, { user: name });
  await store.txn([{ key: e.key, modRevision: e.modRevision }], [{ delete: e.key }]);
}

/** The user when the password is right and the account enabled; one message whether the name or the password is wrong. */
export async function checkCredentials(store: Store, name: string, password: string): Promise<UserRecord> {
  const user = await findUser(store, name);
  const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
  if (!user || !ok) throw new GrappeError('badCredentials', 'login refused: wrong username or password');
  if (user.disabled) throw new GrappeError('userDisabled', `login refused: user '${name}' is disabled`, { user: name });
  return user;
}
