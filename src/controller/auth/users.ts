// Users at /users/<name>. Only the admin role exists for now; roles are stored so others can follow.
import { z } from 'zod';
import { GrappeError, errors } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { decoyHash, hashPassword, verifyPassword } from './password-hash.ts';

export const USER_ROLES = ['admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const username = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9._-]*$/i, 'must start with a letter and use letters, digits, dot, dash or underscore');
export const MIN_PASSWORD_LENGTH = 8;

export interface UserRecord {
  username: string;
  role: UserRole;
  passwordHash: string;
  createdAt: string;
}

const userKey = (name: string): string => `/users/${name}`;

export async function createUser(store: Store, user: { username: string; password: string; role: UserRole; createdAt: string }): Promise<void> {
  const name = username.safeParse(user.username);
  if (!name.success) throw errors.invalidInput(`cannot create user '${user.username}': the name ${name.error.issues[0]?.message}`);
  if (user.password.length < MIN_PASSWORD_LENGTH) {
    throw errors.invalidInput(`cannot create user '${user.username}': the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const record: UserRecord = { username: user.username, role: user.role, passwordHash: await hashPassword(user.password), createdAt: user.createdAt };
  const { succeeded } = await store.txn([{ key: userKey(user.username), modRevision: 0 }], [{ put: userKey(user.username), value: { ...record } }]);
  if (!succeeded) throw errors.duplicate('user', user.username);
}

export async function findUser(store: Store, name: string): Promise<UserRecord | undefined> {
  if (!username.safeParse(name).success) return undefined;
  return (await store.get(userKey(name)))?.value as UserRecord | undefined;
}

/** The user when the password is right; one message whether the name or the password is wrong. */
export async function checkCredentials(store: Store, name: string, password: string): Promise<UserRecord> {
  const user = await findUser(store, name);
  const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
  if (!user || !ok) throw new GrappeError('badCredentials', 'login refused: wrong username or password');
  return user;
}
