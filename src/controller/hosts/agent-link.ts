// An agent client for a host, with this controller's credentials (mutual TLS after enrollment).
import type { ControllerContext } from '../platform/types.ts';
import { AgentClient } from '../agents/agent-client.ts';

export function agentFor(
  ctx: Pick<ControllerContext, 'cluster'>,
  host: { readonly name: string; readonly address: string; readonly port: number },
  timeoutMs?: number,
): AgentClient {
  return new AgentClient({
    address: host.address,
    port: host.port,
    hostLabel: host.name,
    credentials: { caCertPem: ctx.cluster.caCertPem, certPem: ctx.cluster.controllerCertPem, keyPem: ctx.cluster.controllerKeyPem },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}
