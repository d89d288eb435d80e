// The hosts module's live state for one controller: cache, writer, views, adds in flight. Created on
// first use and shared by the routes, the monitor and the subnets module.
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

const runtimes = new WeakMap<ControllerContext, Promise<HostsRuntime>>();

export function hostsRuntime(ctx: ControllerContext): Promise<HostsRuntime> {
  let rt = runtimes.get(ctx);
  if (!rt) {
    rt = (async () => {
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
    })();
    runtimes.set(ctx, rt);
  }
  return rt;
}
