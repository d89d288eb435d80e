import type { ControllerModule } from './platform/types.ts';
import { hostModule } from './hosts/host.module.ts';
import { subnetModule } from './subnets/subnet.module.ts';
import { storageModule } from './storage/storage.module.ts';
import { imageModule } from './images/image.module.ts';
import { networkModule } from './networks/network.module.ts';
import { guestModule } from './guests/guest.module.ts';

export const modules: ControllerModule[] = [hostModule, subnetModule, storageModule, imageModule, networkModule, guestModule];
