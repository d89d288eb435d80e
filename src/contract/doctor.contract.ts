// `grappe doctor`: every check's result, from the controller and from each host's agent.
import { z } from 'zod';
import { CHECK_STATUSES } from '../core/doctor/doctor-rules.ts';

export const checkStatus = z.enum(CHECK_STATUSES);

/** One check as a host reports it (the controller adds the scope). */
export const checkResult = z.object({ name: z.string(), status: checkStatus, detail: z.string(), fix: z.string().optional() });

export const doctorCheck = checkResult.extend({ scope: z.string() });
export type DoctorCheckView = z.infer<typeof doctorCheck>;

// GET /agent/v1/doctor: the host's own checks, its clock (for the skew) and its certificate's end.
export const agentDoctorResponse = z.object({
  now: z.number(),
  checks: z.array(checkResult),
  certificateNotAfter: z.string().nullable(),
});
export type AgentDoctorResponse = z.infer<typeof agentDoctorResponse>;

// `grappe-agent --doctor` (and so `grappe doctor --local`) prints this on stdout.
export const localDoctorReport = z.object({ checks: z.array(checkResult) });

// GET /api/v1/doctor
export const doctorReport = z.object({
  checkedAt: z.string(),
  checks: z.array(doctorCheck),
  summary: z.object({ ok: z.number().int(), warn: z.number().int(), fail: z.number().int() }),
});
export type DoctorReport = z.infer<typeof doctorReport>;
