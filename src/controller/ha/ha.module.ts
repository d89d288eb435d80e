// The HA module: its routes, and the loop that renews leases, reads heartbeats and steps
// the HA manager.
import type { ControllerModule } from '../platform/types.ts';
import { startHaLoop } from './ha-runtime.ts';
import { haRoutes } from './ha.routes.ts';

export const haModule: ControllerModule = {
  name: 'ha',
  routes: (ctx) => haRoutes(ctx),
  start: (ctx) => startHaLoop(ctx),
};
