// The scheduling module: the pool's scheduler settings route. Placement itself is called by the
// areas that place guests (decide-placement.ts, choose-target.ts).
import type { ControllerModule } from '../platform/types.ts';
import { schedulerRoutes } from './scheduler.routes.ts';

export const schedulingModule: ControllerModule = {
  name: 'scheduling',
  routes: (ctx) => schedulerRoutes(ctx),
};
