// A client for the guest part of a host's agent protocol, with this controller's credentials.
import { GuestClient } from '../agents/guest-client.ts';
import type { ControllerContext } from '../platform/types.ts';

export function guestAgentFor(
  ctx: Pick<ControllerContext, 'cluster'>,
  host: { readonly name: string; readonly address: string; readonly port: number },
  timeoutMs?: number,
): GuestClient {
  return new GuestClient({
    address: host.address,
    port: host.port,
    hostLabel: host.name,
    credentials: { caCertPem: ctx.cluster.caCertPem, certPem: ctx.cluster.controllerCertPem, keyPem: ctx.cluster.controllerKeyPem },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}
