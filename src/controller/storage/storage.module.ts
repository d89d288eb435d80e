// The storage module: pools and volumes, and the loop that keeps iSCSI ACLs and the
// storage probe LUNs in step with the hosts.
import type { ControllerModule } from '../platform/types.ts';
import { startTargetSync } from './target-sync.ts';
import { volumeRoutes } from './volume.routes.ts';

export const storageModule: ControllerModule = {
  name: 'storage',
  routes: (ctx) => volumeRoutes(ctx),
  start: (ctx) => startTargetSync(ctx, Math.max(5 * ctx.settings.monitorIntervalMs, 2000), (m) => process.emitWarning(`storage: ${m}`)),
};
