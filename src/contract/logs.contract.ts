import { z } from 'zod';

export { parseSpan } from '../core/metrics/usage-rates.ts';

// `grappe logs`: the newest lines of the controller's log (GET /api/v1/logs) or of a host's agent
// (GET /api/v1/hosts/:id/logs, relayed from GET /agent/v1/logs). JSON lines; each request's lines
// carry its requestId, the same on the controller and on the agents it called.
export const REQUEST_ID_HEADER = 'x-request-id';
export const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

export const logQuery = z
  .object({
    after: z.coerce.number().int().min(0).optional(), // lines after this sequence number (to follow)
    sinceMs: z.coerce.number().int().min(0).optional(), // lines not older than this time (epoch ms)
    limit: z.coerce.number().int().min(1).max(5000).default(200),
  })
  .strict();
export type LogQuery = z.infer<typeof logQuery>;

export const logView = z.object({
  lines: z.array(z.object({ seq: z.number().int(), entry: z.record(z.string(), z.unknown()) })),
  lastSeq: z.number().int(),
});
export type LogView = z.infer<typeof logView>;
