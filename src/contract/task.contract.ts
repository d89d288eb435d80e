import { z } from 'zod';

export const TASK_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;
export const taskState = z.enum(TASK_STATES);

export const taskLogLine = z.object({ at: z.string(), message: z.string() });
export const taskView = z.object({
  id: z.string(),
  kind: z.string(), // e.g. 'host.add', 'host.update-connector'
  target: z.string(), // e.g. 'host:3'
  state: taskState,
  progress: z.number().min(0).max(1),
  user: z.string(),
  log: z.array(taskLogLine),
  result: z.unknown().optional(),
  // kind (an ERROR_KINDS key) and details let `?wait=true` answer with the same status and body
  // as if the action had failed synchronously.
  error: z.object({ code: z.string(), message: z.string(), kind: z.string().optional(), details: z.record(z.string(), z.unknown()).optional() }).optional(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type TaskView = z.infer<typeof taskView>;
