// The guest networks module: routes, and the `default` network made at start.
import { isoAt } from '../platform/clock.ts';
import type { ControllerModule } from '../platform/types.ts';
import { networkRoutes } from './network.routes.ts';
import { ensureDefaultNetwork } from './network-store.ts';

export const networkModule: ControllerModule = {
  name: 'networks',
  routes: (ctx) => networkRoutes(ctx),
  start: (ctx) => {
    const made = ensureDefaultNetwork(ctx.store, isoAt(ctx.clock)).catch((e: unknown) =>
      process.emitWarning(`networks: default network not made: ${String(e)}`),
    );
    return async () => {
      await made;
    };
  },
};
