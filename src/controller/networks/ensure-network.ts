// Makes a guest network present on one processing host: its bridge, created and up (idempotent).
import type { BridgeInfo } from '../../contract/guest-agent.contract.ts';
import { errors } from '../../core/errors.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from '../storage/guest-agent-for.ts';
import { getNetwork } from './network-store.ts';

export async function ensureNetworkOnHost(ctx: ControllerContext, hostId: number, network: string): Promise<BridgeInfo> {
  const record = await getNetwork(ctx.store, network);
  const host = (await hostsRuntime(ctx)).cache.get(hostId);
  if (!host) throw errors.noSuchHost(hostId);
  return guestAgentFor(ctx, host).ensureBridge(record.bridge);
}
