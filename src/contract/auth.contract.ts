import { z } from 'zod';
import { PRIVILEGE_NAMES, type Privilege } from '../core/access/privileges.ts';

export const loginRequest = z.object({ username: z.string().min(1), password: z.string().min(1) }).strict();
export const loginResponse = z.object({ token: z.string(), expiresAt: z.string(), username: z.string() });
export type LoginResponse = z.infer<typeof loginResponse>;

const privilege = z.enum(PRIVILEGE_NAMES as [Privilege, ...Privilege[]]);

// GET /auth/me: who the caller is and their rights (own grants, their roles' privileges), so a client
// can hide or disable what they may not do (core/access/privileges.ts checkRights).
export const whoAmIResponse = z.object({
  username: z.string(),
  role: z.string(),
  rights: z.object({
    caller: z.object({ user: z.string(), groups: z.array(z.string()), token: z.string().optional() }),
    grants: z.array(z.object({ path: z.string(), subject: z.string(), role: z.string(), propagate: z.boolean() })),
    roles: z.record(z.string(), z.object({ privileges: z.array(privilege) })),
  }),
});
export type WhoAmI = z.infer<typeof whoAmIResponse>;
