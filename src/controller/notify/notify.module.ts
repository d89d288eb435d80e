// The notifications module: targets and rules, and the dispatcher that every controller runs (only
// the leader sends, except for a lost quorum).
import type { ControllerModule } from '../platform/types.ts';
import { notifyRuntime } from './notify-runtime.ts';
import { notifyRoutes } from './notify.routes.ts';

export const notifyModule: ControllerModule = {
  name: 'notify',
  routes: (ctx) => notifyRoutes(ctx),
  serve: (ctx) => {
    const started = notifyRuntime(ctx);
    started.catch((e: unknown) => ctx.log('error', `notifications could not start: ${String(e)}`));
    return async () => (await started.catch(() => undefined))?.stop();
  },
};
