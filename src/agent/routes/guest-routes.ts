// Every route group of the guest part of the agent protocol, in the order they are matched.
import type { Route } from '../agent-routes.ts';
import { BRIDGE_ROUTES } from './bridge.routes.ts';
import { GUEST_LIFECYCLE_ROUTES } from './guest.routes.ts';
import { TARGET_ROUTES } from './target.routes.ts';
import { VOLUME_ROUTES } from './volume.routes.ts';

export const GUEST_ROUTES: Route[] = [...VOLUME_ROUTES, ...TARGET_ROUTES, ...BRIDGE_ROUTES, ...GUEST_LIFECYCLE_ROUTES];
