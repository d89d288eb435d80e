import type { ControllerModule } from './platform/types.ts';
import { hostModule } from './hosts/host.module.ts';
import { subnetModule } from './subnets/subnet.module.ts';
import { storageModule } from './storage/storage.module.ts';
import { imageModule } from './images/image.module.ts';
import { networkModule } from './networks/network.module.ts';
import { guestModule } from './guests/guest.module.ts';
import { schedulingModule } from './scheduling/scheduling.module.ts';
import { evacuationModule } from './evacuation/evacuation.module.ts';
import { haModule } from './ha/ha.module.ts';
import { doctorModule } from './doctor/doctor.module.ts';
import { clusterModule } from './cluster/cluster.module.ts';
import { metricsModule } from './metrics/metrics.module.ts';
import { notifyModule } from './notify/notify.module.ts';
import { logsModule } from './logs/logs.module.ts';
import { accessModule } from './access/access.module.ts';

export const modules: ControllerModule[] = [
  hostModule,
  subnetModule,
  storageModule,
  imageModule,
  networkModule,
  guestModule,
  schedulingModule,
  evacuationModule,
  haModule,
  doctorModule,
  clusterModule,
  metricsModule,
  notifyModule,
  logsModule,
  accessModule,
];
