// Every task that places a guest logs why it went where it went: the decision as text, one log line
// per line (create, migrate without a named host, evacuation, HA recovery).
import { formatDecision } from '../../core/scheduler/format-decision.ts';
import type { Decision } from '../../core/scheduler/scheduler-types.ts';

export async function logDecision(decision: Decision, log: (line: string) => unknown): Promise<void> {
  for (const line of formatDecision(decision).split('\n')) await log(line);
}
