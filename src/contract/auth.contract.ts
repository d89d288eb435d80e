import { z } from 'zod';

export const loginRequest = z.object({ username: z.string().min(1), password: z.string().min(1) }).strict();
export const loginResponse = z.object({ token: z.string(), expiresAt: z.string(), username: z.string() });
export type LoginResponse = z.infer<typeof loginResponse>;
