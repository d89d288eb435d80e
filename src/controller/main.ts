// The one wiring file: data dir → store → events, tasks, audit → modules → routes → HTTPS server.
import { RuntimeSlots } from './platform/runtime-slots.ts';
import { existsSync, readFileSync } from 'node:fs';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { coreModule } from './core-routes/core.module.ts';
import { openApiRoutes } from './core-routes/openapi.routes.ts';
import { dataDirLayout, loadClusterIdentity } from './data-dir.ts';
import { guestUpgradeListener } from './guests/guest.module.ts';
import { modules as installedModules } from './modules.ts';
import { StoreAuditLog } from './platform/audit.ts';
import { systemClock } from './platform/clock.ts';
import { StoreEventBus } from './platform/events.ts';
import { createHttpApp, installFallback } from './platform/http-app.ts';
import { buildOpenApi } from './platform/openapi.ts';
import { defaultAgentBundlePath, grappeVersion, webDistDir } from './platform/repo-paths.ts';
import { registerRoutes } from './platform/routes.ts';
import { StoreTaskRunner } from './platform/tasks.ts';
import type { Clock, ControllerContext, ControllerModule, RouteSpec } from './platform/types.ts';

export const DEFAULT_API_PORT = 8443;

export interface StartControllerOptions {
  dataDir: string;
  host?: string; // default 0.0.0.0
  port?: number; // default 8443; 0 = any free port
  clock?: Clock;
  monitorIntervalMs?: number; // default 2000
  tokenTtlMs?: number; // default 12 h
  agentBundlePath?: string; // default <repo>/dist/grappe-agent.mjs
  logLevel?: string; // pino level, default 'info'
  /** Modules beside those of modules.ts (tests plug theirs in through the same registry). */
  extraModules?: readonly ControllerModule[];
  /** Where the built web UI is; default <repo>/web/dist. */
  webRoot?: string;
  /** Refuse (500) any error code a route does not declare; default: GRAPPE_STRICT_ERROR_CODES=1 (the tests). */
  strictErrorCodes?: boolean;
}

export interface RunningController {
  url: string;
  ctx: ControllerContext;
  close(): Promise<void>;
}

export async function startController(opts: StartControllerOptions): Promise<RunningController> {
  const layout = dataDirLayout(opts.dataDir);
  const cluster = loadClusterIdentity(layout.root); // throws "run `grappe init` first" when absent
  const clock = opts.clock ?? systemClock;
  const store: Store = openSqliteStore(layout.database);
  const stops: Array<() => Promise<void> | void> = [];
  const app = createHttpApp({
    tls: { certPem: readFileSync(layout.apiCert, 'utf8'), keyPem: readFileSync(layout.apiKey, 'utf8') },
    logLevel: opts.logLevel ?? 'info',
  });
  try {
    const events = new StoreEventBus(store, clock);
    const tasks = new StoreTaskRunner(store, clock, events, app.log);
    const interrupted = await tasks.failInterrupted();
    if (interrupted > 0) app.log.warn(`${interrupted} task(s) were cut short by the previous controller's end and are marked failed`);
    const ctx: ControllerContext = {
      runtimes: new RuntimeSlots(() => ctx),
      store,
      clock,
      tasks,
      events,
      audit: new StoreAuditLog(store, clock),
      dataDir: layout.root,
      cluster,
      agentBundle: { path: opts.agentBundlePath ?? defaultAgentBundlePath(), version: grappeVersion() },
      settings: {
        monitorIntervalMs: opts.monitorIntervalMs ?? 2000,
        ...(opts.tokenTtlMs === undefined ? {} : { tokenTtlMs: opts.tokenTtlMs }),
        strictErrorCodes: opts.strictErrorCodes ?? process.env['GRAPPE_STRICT_ERROR_CODES'] === '1',
      },
    };
    const modules = [coreModule, ...installedModules, ...(opts.extraModules ?? [])];
    const specs: RouteSpec[] = modules.flatMap((m) => m.routes(ctx));
    specs.push(...openApiRoutes(() => buildOpenApi(specs, { version: grappeVersion() })));
    const routes = registerRoutes(app, ctx, specs);
    installFallback(app, routes, opts.webRoot ?? webDistDir());
    // WebSockets (the guest consoles) are served on the upgrade, outside fastify's routing.
    app.server.on('upgrade', guestUpgradeListener(ctx));

    const url = await app.listen({ host: opts.host ?? '0.0.0.0', port: opts.port ?? DEFAULT_API_PORT });
    for (const m of modules) if (m.start) stops.push(m.start(ctx));
    if (!existsSync(ctx.agentBundle.path)) app.log.warn(`no agent bundle at ${ctx.agentBundle.path}: run \`npm run build\` before updating connectors`);

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        for (const stop of stops.reverse()) await stop();
        await app.close();
        await store.close();
      })());
    return { url: publicUrl(url, opts.host), ctx, close };
  } catch (err) {
    for (const stop of stops.reverse()) await stop();
    await app.close().catch(() => undefined);
    await store.close();
    throw err;
  }
}

// fastify reports the first address it bound; on 0.0.0.0 that is not a useful address to print.
function publicUrl(url: string, host: string | undefined): string {
  return host === undefined || host === '0.0.0.0' ? url.replace(/\/\/[^:/]+/, '//127.0.0.1') : url;
}
