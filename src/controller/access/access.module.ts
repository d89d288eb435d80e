// The access module: users, groups, roles, grants and API tokens; the rights cache every route check reads.
import type { ControllerModule } from '../platform/types.ts';
import { accessRuntime } from './access-runtime.ts';
import { accessRoutes } from './access.routes.ts';

export const accessModule: ControllerModule = {
  name: 'access',
  routes: (ctx) => accessRoutes(ctx),
  close: async (ctx) => (await accessRuntime(ctx)).close(),
};
