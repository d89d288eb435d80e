// The logs module: the controller's and the agents' newest log lines, for `grappe logs`.
import type { ControllerModule } from '../platform/types.ts';
import { logsRoutes } from './logs.routes.ts';

export const logsModule: ControllerModule = { name: 'logs', routes: (ctx) => logsRoutes(ctx) };
