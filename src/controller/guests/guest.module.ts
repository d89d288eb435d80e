// The guests module: guest routes, the state monitor, and the console WebSocket.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import type { ControllerContext, ControllerModule } from '../platform/types.ts';
import { guestConsoleUpgrade } from './guest-console.ts';
import { startGuestMonitor } from './guest-monitor.ts';
import { guestRoutes } from './guest.routes.ts';

/** The open console WebSockets of this controller: closed when it stops. */
const CONSOLE_VIEWERS = runtimeSlot('console viewers', (): Set<WebSocket> => new Set());
const viewersOf = (ctx: ControllerContext): Set<WebSocket> => ctx.runtimes.get(CONSOLE_VIEWERS);

export const guestModule: ControllerModule = {
  name: 'guests',
  routes: (ctx) => guestRoutes(ctx),
  start: (ctx) => {
    const stopMonitor = startGuestMonitor(ctx);
    return async () => {
      await stopMonitor();
      // Open consoles would keep the server from closing.
      for (const ws of viewersOf(ctx)) ws.terminate();
    };
  },
};

/** The HTTP 'upgrade' listener the server needs for GET /api/v1/guests/:id/console. */
export const guestUpgradeListener = (ctx: ControllerContext): ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) =>
  guestConsoleUpgrade(ctx, viewersOf(ctx));
