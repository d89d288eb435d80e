// The control plane's routes (its loops are the leadership itself, wired in main.ts).
import type { ControllerModule } from '../platform/types.ts';
import { clusterRoutes } from './cluster.routes.ts';

export const clusterModule: ControllerModule = { name: 'cluster', routes: (ctx) => clusterRoutes(ctx) };
