import { z } from 'zod';

// One line per change: who (user, token, address), what, when, result.
export const auditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  user: z.string(),
  token: z.string().optional(), // the API token used, if any ('<user>!<name>')
  from: z.string().optional(), // the caller's address
  action: z.string(), // e.g. 'host.enable'
  target: z.string(), // e.g. 'host:2'
  result: z.enum(['ok', 'refused', 'failed', 'accepted']),
  message: z.string().optional(),
  taskId: z.string().optional(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

// GET /audit filters: ?user=&object=&since=&limit=&sinceSeq=
export const auditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(10000).default(100),
    sinceSeq: z.coerce.number().int().min(0).optional(),
    user: z.string().optional(),
    object: z.string().optional(), // a part of the target, e.g. 'vm:100' or '/hosts/proc1'
    since: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
