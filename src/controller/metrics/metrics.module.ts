// The metrics module: /metrics, /history and the usage collector, which runs on every controller
// (it only reads from the agents), so whichever controller answers has the figures and the graphs.
import type { ControllerModule } from '../platform/types.ts';
import { metricsRuntime } from './metrics-runtime.ts';
import { metricsRoutes } from './metrics.routes.ts';
import { startUsageCollector } from './usage-collector.ts';

export const metricsModule: ControllerModule = {
  name: 'metrics',
  routes: (ctx) => metricsRoutes(ctx),
  serve: (ctx) => {
    const unsubscribe = ctx.events.subscribe((e) => ctx.metrics.countEvent(e));
    const stopCollector = startUsageCollector(metricsRuntime(ctx).usage, (m) => ctx.log('warn', m));
    return async () => {
      unsubscribe();
      await stopCollector();
    };
  },
  close: (ctx) => metricsRuntime(ctx).history.close(),
};
