// The hosts module's live state for one controller: cache, writer, views, adds in flight. Created on
// first use and shared by the routes, the monitor and the subnets module.
import { runtimeSlot } from '../platform/runtime-slots.ts';
import type { ControllerContext } from '../platform/types.ts';
import { HostCache } from './host-cache.ts';
import { HostRepo } from './host-repo.ts';
import { HostViews } from './host-views.ts';

export interface HostsRuntime {
  readonly cache: HostCache;
  readonly repo: HostRepo;
  readonly views: HostViews;
  /** Names and addresses of adds still running, so a second add of the same host is refused at once. */
  readonly pendingAdds: Set<string>;
  close(): void;
}

const HOSTS_RUNTIME = runtimeSlot('hosts', async (ctx: ControllerContext): Promise<HostsRuntime> => {
  const cache = await HostCache.load(ctx.store);
  const views = new HostViews(cache, ctx.agentBundle.version);
  return {
    cache,
    repo: new HostRepo(ctx.store, cache),
    views,
    pendingAdds: new Set<string>(),
    close: () => {
      views.close();
      cache.close();
    },
  };
});

export const hostsRuntime = (ctx: ControllerContext): Promise<HostsRuntime> => ctx.runtimes.get(HOSTS_RUNTIME);
