// Every route group of the guest part of the agent protocol, in the order they are matched.
import type { Route } from '../agent-routes.ts';
import { BRIDGE_ROUTES } from './bridge.routes.ts';
import { CT_ARCHIVE_ROUTES } from './ct-archive.routes.ts';
import { GUEST_LIFECYCLE_ROUTES } from './guest.routes.ts';
import { MIGRATION_ROUTES } from './migration.routes.ts';
import { HA_ROUTES } from './ha.routes.ts';
import { TARGET_ROUTES } from './target.routes.ts';
import { VOLUME_DOWNLOAD_ROUTES } from './volume-download.routes.ts';
import { VOLUME_ROUTES } from './volume.routes.ts';

export const GUEST_ROUTES: Route[] = [
  ...VOLUME_ROUTES,
  ...TARGET_ROUTES,
  ...BRIDGE_ROUTES,
  ...GUEST_LIFECYCLE_ROUTES,
  ...CT_ARCHIVE_ROUTES,
  ...VOLUME_DOWNLOAD_ROUTES,
  ...HA_ROUTES,
  ...MIGRATION_ROUTES,
];
