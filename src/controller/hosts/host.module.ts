// The hosts module: host lifecycle and NIC routes, plus the monitor loop.
import type { ControllerModule } from '../platform/types.ts';
import { hostTaskRoutes } from './host-task.routes.ts';
import { hostRoutes } from './host.routes.ts';
import { startHostMonitor } from './host-monitor.ts';
import { hostsRuntime } from './hosts-runtime.ts';
import { nicRoutes } from './nic.routes.ts';
import { tcpAccepts } from './tcp-check.ts';

export const hostModule: ControllerModule = {
  name: 'hosts',
  routes: (ctx) => [...hostRoutes(ctx), ...hostTaskRoutes(ctx), ...nicRoutes(ctx)],
  start: (ctx) => {
    const stopMonitor = startHostMonitor(ctx, tcpAccepts);
    return stopMonitor;
  },
  // The host cache serves reads on followers too: it is closed with the controller, not the loops.
  close: async (ctx) => (await hostsRuntime(ctx)).close(),
};
