// The evacuation module: evacuate and undo-evacuate routes, the list of
// evacuations, and at start the resumption of a run a previous controller left unfinished.
import type { ControllerModule } from '../platform/types.ts';
import { resumeActive } from './evacuation-resume.ts';
import { evacuationRoutes } from './evacuation.routes.ts';

export const evacuationModule: ControllerModule = {
  name: 'evacuation',
  routes: (ctx) => evacuationRoutes(ctx),
  start: (ctx) => {
    // Not awaited: the server answers at once; the resumed run is a task like any other.
    const resumed = resumeActive(ctx).catch((err: unknown) => process.emitWarning(`could not resume the evacuation in progress: ${String(err)}`));
    return async () => {
      await resumed;
    };
  },
};
