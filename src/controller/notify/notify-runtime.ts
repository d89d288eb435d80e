// The notification area's live state on one controller: its dispatcher, started by the module's serve.
import { runtimeSlot } from '../platform/runtime-slots.ts';
import type { ControllerContext } from '../platform/types.ts';
import { DEFAULT_RETRY, NotifyDispatcher } from './notify-dispatcher.ts';

const NOTIFY_RUNTIME = runtimeSlot('notify', async (ctx: ControllerContext): Promise<NotifyDispatcher> => {
  const d = new NotifyDispatcher(ctx, ctx.log, ctx.settings.notifyRetry ?? DEFAULT_RETRY);
  await d.start();
  return d;
});

export const notifyRuntime = (ctx: ControllerContext): Promise<NotifyDispatcher> => ctx.runtimes.get(NOTIFY_RUNTIME);
