// The three host faults HA must survive, injected into a testbed host, and their repair.
//   crash      every process of the host SIGKILLed (agent, watchdog, QEMU): power loss
//   partition  its LAN cable pulled; the SAN (and so its heartbeat volume) stays up
//   agent-hang the agent process SIGSTOPped; its guests and watchdog keep running
import type { Testbed } from '../testbed/testbed.ts';

export const FAULT_KINDS = ['crash', 'partition', 'agent-hang'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const isFaultKind = (s: string): s is FaultKind => (FAULT_KINDS as readonly string[]).includes(s);

export async function injectFault(tb: Testbed, kind: FaultKind, host: string): Promise<void> {
  switch (kind) {
    case 'crash':
      return tb.killHost(host);
    case 'partition':
      return tb.linkDown(host, 'lan');
    case 'agent-hang':
      return tb.freezeAgent(host);
  }
}

/** Undoes the fault: the host boots again (its agent starts), gets its cable back, or its agent resumes. */
export async function repairFault(tb: Testbed, kind: FaultKind, host: string): Promise<void> {
  switch (kind) {
    case 'crash':
      return tb.startAgent(host);
    case 'partition':
      return tb.linkUp(host, 'lan');
    case 'agent-hang':
      return tb.thawAgent(host);
  }
}
