// The controller's own routes (health, auth, tasks, audit, events) as a module like any other.
import type { ControllerModule } from '../platform/types.ts';
import { auditRoutes } from './audit.routes.ts';
import { authRoutes } from './auth.routes.ts';
import { eventRoutes } from './event.routes.ts';
import { healthRoutes } from './health.routes.ts';
import { taskRoutes } from './task.routes.ts';

export const coreModule: ControllerModule = {
  name: 'core',
  routes: (ctx) => [...healthRoutes(ctx), ...authRoutes(ctx), ...taskRoutes(ctx), ...auditRoutes(ctx), ...eventRoutes(ctx)],
};
