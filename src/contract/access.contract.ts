import { z } from 'zod';
import { PRIVILEGE_NAMES, isAccessPath, type Privilege } from '../core/access/privileges.ts';

export { BUILTIN_ROLES, PRIVILEGES, PRIVILEGE_NAMES, checkRights, type Privilege } from '../core/access/privileges.ts';

// Users, groups, roles, grants (ACL) and API tokens: /users, /groups, /roles, /acl, /tokens.
const name = z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/i, 'a name: a letter, then letters, digits, dot, dash or underscore (at most 64)');
const privilege = z.enum(PRIVILEGE_NAMES as [Privilege, ...Privilege[]]);
export const accessPath = z.string().refine(isAccessPath, "a path such as '/', '/hosts', '/hosts/proc1', '/guests/vm:100', '/storage'");
const subject = z.string().regex(/^(user|group|token):\S+$/, "'user:<name>', 'group:<name>' or 'token:<user>!<name>'");

export const userCreateRequest = z
  .object({ username: name, password: z.string().min(1), role: z.enum(['admin', 'user']).default('user'), groups: z.array(name).default([]) })
  .strict();
export const userEditRequest = z.object({ disabled: z.boolean().optional(), role: z.enum(['admin', 'user']).optional() }).strict();
export const passwordChangeRequest = z.object({ password: z.string().min(1), currentPassword: z.string().optional() }).strict();
export const userView = z.object({
  username: z.string(),
  role: z.enum(['admin', 'user']),
  disabled: z.boolean(),
  groups: z.array(z.string()),
  createdAt: z.string(),
});
export type UserView = z.infer<typeof userView>;

export const groupCreateRequest = z.object({ name, members: z.array(name).default([]) }).strict();
export const groupMembersRequest = z.object({ members: z.array(name) }).strict();
export const groupView = z.object({ name: z.string(), members: z.array(z.string()), createdAt: z.string() });

export const roleCreateRequest = z.object({ name, privileges: z.array(privilege).min(1) }).strict();
export const roleView = z.object({ name: z.string(), builtIn: z.boolean(), what: z.string(), privileges: z.array(privilege) });

export const grantRequest = z.object({ path: accessPath, subject, role: name, propagate: z.boolean().default(true) }).strict();
export const grantView = z.object({ path: z.string(), subject: z.string(), role: z.string(), propagate: z.boolean(), builtIn: z.boolean() });
export type GrantView = z.infer<typeof grantView>;

export const tokenCreateRequest = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes, starting with a letter (at most 32)'),
    user: name.optional(), // default: the caller
    role: name.optional(), // granted to the token on `path` at once
    path: accessPath.default('/'),
    expiresDays: z.number().int().min(1).max(3650).optional(),
    comment: z.string().max(200).default(''),
  })
  .strict();
export const tokenView = z.object({ id: z.string(), user: z.string(), createdAt: z.string(), expiresAt: z.string().nullable(), comment: z.string() });
export const tokenCreatedView = tokenView.extend({ secret: z.string() });
