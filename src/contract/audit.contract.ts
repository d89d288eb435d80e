import { z } from 'zod';

// One line per change: who, what, when, result.
export const auditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  user: z.string(),
  action: z.string(), // e.g. 'host.enable'
  target: z.string(), // e.g. 'host:2'
  result: z.enum(['ok', 'refused', 'failed', 'accepted']),
  message: z.string().optional(),
  taskId: z.string().optional(),
});
export type AuditEntry = z.infer<typeof auditEntry>;
