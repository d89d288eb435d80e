// Agent clients for a host, with this controller's credentials (mutual TLS after enrollment).
import type { ControllerContext } from '../platform/types.ts';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import { AgentClient, type AgentClientOptions } from '../agents/agent-client.ts';
import { AgentConnections } from '../agents/agent-connections.ts';

type HostAddress = { readonly name: string; readonly address: string; readonly port: number };
/** The controller's context, or only its credentials (a test's client: one connection per call). */
export type AgentCaller = Pick<ControllerContext, 'cluster'> & Partial<Pick<ControllerContext, 'runtimes'>>;

const credentialsOf = (ctx: Pick<ControllerContext, 'cluster'>) => ({
  caCertPem: ctx.cluster.caCertPem,
  certPem: ctx.cluster.controllerCertPem,
  keyPem: ctx.cluster.controllerKeyPem,
});

export const AGENT_CONNECTIONS = runtimeSlot('agent connections', (ctx: ControllerContext) => new AgentConnections(credentialsOf(ctx), () => ctx.clock.now()));

export function agentClientOptions(ctx: AgentCaller, host: HostAddress, timeoutMs?: number): AgentClientOptions {
  const connections = ctx.runtimes?.get(AGENT_CONNECTIONS);
  return {
    address: host.address,
    port: host.port,
    hostLabel: host.name,
    credentials: credentialsOf(ctx),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(connections ? { pool: connections.poolFor(host.address, host.port), secureContext: connections.secureContext } : {}),
  };
}

export function agentFor(ctx: AgentCaller, host: HostAddress, timeoutMs?: number): AgentClient {
  return new AgentClient(agentClientOptions(ctx, host, timeoutMs));
}
