// The images module: disk images and container templates kept on the controller machine.
import type { ControllerModule } from '../platform/types.ts';
import { imageRoutes } from './image.routes.ts';

export const imageModule: ControllerModule = {
  name: 'images',
  routes: (ctx) => imageRoutes(ctx),
};
