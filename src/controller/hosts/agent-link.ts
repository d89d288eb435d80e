// Agent clients for a host, with this controller's credentials (mutual TLS after enrollment).
import type { ControllerContext } from '../platform/types.ts';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import { AgentClient, type AgentClientOptions } from '../agents/agent-client.ts';
import { AgentConnections } from '../agents/agent-connections.ts';

type HostAddress = { readonly name: string; readonly address: string; readonly port: number };
/** The controller's context, or only its credentials (a test's client: one connection per call). */
export type AgentCaller = Pick<ControllerContext, 'cluster'> & Partial<Pick<ControllerContext, 'runtimes'>>;

export const AGENT_CONNECTIONS = runtimeSlot('agent connections', () => new AgentConnections());

export function agentClientOptions(ctx: AgentCaller, host: HostAddress, timeoutMs?: number): AgentClientOptions {
  const connections = ctx.runtimes?.get(AGENT_CONNECTIONS);
  return {
    address: host.address,
    port: host.port,
    hostLabel: host.name,
    credentials: { caCertPem: ctx.cluster.caCertPem, certPem: ctx.cluster.controllerCertPem, keyPem: ctx.cluster.controllerKeyPem },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(connections ? { pool: connections.poolFor(host.address, host.port) } : {}),
  };
}

export function agentFor(ctx: AgentCaller, host: HostAddress, timeoutMs?: number): AgentClient {
  return new AgentClient(agentClientOptions(ctx, host, timeoutMs));
}
