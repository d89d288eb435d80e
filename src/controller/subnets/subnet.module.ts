import type { ControllerModule } from '../platform/types.ts';
import { subnetRoutes } from './subnet.routes.ts';

export const subnetModule: ControllerModule = { name: 'subnets', routes: subnetRoutes };
