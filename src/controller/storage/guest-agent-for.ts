// A client for the guest part of a host's agent protocol, with this controller's credentials.
import { GuestClient } from '../agents/guest-client.ts';
import { agentClientOptions, type AgentCaller } from '../hosts/agent-link.ts';

export function guestAgentFor(
  ctx: AgentCaller,
  host: { readonly name: string; readonly address: string; readonly port: number },
  timeoutMs?: number,
): GuestClient {
  return new GuestClient(agentClientOptions(ctx, host, timeoutMs));
}
