// Agent clients for a host, with this controller's credentials (mutual TLS after enrollment).
import type { ControllerContext } from '../platform/types.ts';
import { AgentClient, type AgentClientOptions } from '../agents/agent-client.ts';

type HostAddress = { readonly name: string; readonly address: string; readonly port: number };

export function agentClientOptions(ctx: Pick<ControllerContext, 'cluster'>, host: HostAddress, timeoutMs?: number): AgentClientOptions {
  return {
    address: host.address,
    port: host.port,
    hostLabel: host.name,
    credentials: { caCertPem: ctx.cluster.caCertPem, certPem: ctx.cluster.controllerCertPem, keyPem: ctx.cluster.controllerKeyPem },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

export function agentFor(ctx: Pick<ControllerContext, 'cluster'>, host: HostAddress, timeoutMs?: number): AgentClient {
  return new AgentClient(agentClientOptions(ctx, host, timeoutMs));
}
