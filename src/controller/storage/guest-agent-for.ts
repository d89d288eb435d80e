// A client for the guest part of a host's agent protocol, with this controller's credentials.
import { GuestClient } from '../agents/guest-client.ts';
import { agentClientOptions } from '../hosts/agent-link.ts';
import type { ControllerContext } from '../platform/types.ts';

export function guestAgentFor(
  ctx: Pick<ControllerContext, 'cluster'>,
  host: { readonly name: string; readonly address: string; readonly port: number },
  timeoutMs?: number,
): GuestClient {
  return new GuestClient(agentClientOptions(ctx, host, timeoutMs));
}
