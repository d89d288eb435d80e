// The doctor module: one read-only route that checks the whole pool and says how to fix what fails,
// and, on the leader, the watch that warns of certificates near their end.
import type { ControllerModule } from '../platform/types.ts';
import { startCertificateWatch } from './certificate-watch.ts';
import { doctorRoutes } from './doctor.routes.ts';

export const doctorModule: ControllerModule = {
  name: 'doctor',
  routes: (ctx) => doctorRoutes(ctx),
  start: (ctx) => startCertificateWatch(ctx),
};
