import type { ControllerModule } from './platform/types.ts';
import { hostModule } from './hosts/host.module.ts';
import { subnetModule } from './subnets/subnet.module.ts';

export const modules: ControllerModule[] = [hostModule, subnetModule];
