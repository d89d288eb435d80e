// The doctor module: one read-only route that checks the whole pool and says how to fix what fails.
import type { ControllerModule } from '../platform/types.ts';
import { doctorRoutes } from './doctor.routes.ts';

export const doctorModule: ControllerModule = {
  name: 'doctor',
  routes: (ctx) => doctorRoutes(ctx),
};
