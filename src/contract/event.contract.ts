import { z } from 'zod';

// Events, streamed as server-sent events at GET /api/v1/events (SSE `event:` = type, `data:` = JSON).
export const eventView = z.object({
  seq: z.number().int(),
  at: z.string(),
  type: z.string(), // 'host.added', 'host.state', 'host.indicators', 'task.updated', 'alert', 'ha.*' (ha.contract.ts), …
  severity: z.enum(['info', 'warning', 'error']),
  subject: z.string(), // 'host:2', 'task:T000012'
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type EventView = z.infer<typeof eventView>;
