// The one wiring file: data dir → store → events, tasks, audit → modules → routes → HTTPS server.
import { RuntimeSlots } from './platform/runtime-slots.ts';
import { existsSync, readFileSync } from 'node:fs';
import { openSqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { readControllerConfig } from './cluster/cluster-config.ts';
import { openControlPlane, type ControlPlane } from './cluster/control-plane.ts';
import { installControlPlaneGate, leaderChangedEvent, quorumEvent } from './cluster/control-plane-events.ts';
import { ControllerMetrics } from './metrics/controller-metrics.ts';
import { installApiMetrics } from './metrics/api-metrics.ts';
import { instrumentStore } from './metrics/instrumented-store.ts';
import { LogRing } from '../streams/log-ring.ts';
import { routeAuthorizer } from './access/route-authorizer.ts';
import type { AccessRule } from './access/route-access.ts';
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
import { RESTART_FAILURE, StoreTaskRunner } from './platform/tasks.ts';
import type { Clock, ControllerContext, ControllerModule, RouteSpec } from './platform/types.ts';
import { AGENT_CONNECTIONS } from './hosts/agent-link.ts';

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
  /** The access lines of those modules' routes (the product's are all in access/route-access.ts). */
  extraAccess?: Readonly<Record<string, AccessRule>>;
  /** Where the built web UI is; default <repo>/web/dist. */
  webRoot?: string;
  /** How often every host's usage figures are fetched; default 15 s (tests shorten it). */
  usageIntervalMs?: number;
  admissionGraceMs?: number;
  /** Notification delivery attempts and backoff; default 6 attempts from 1 s doubling to 30 s (tests shorten it). */
  notifyRetry?: ControllerContext['settings']['notifyRetry'];
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
  // One controller on SQLite, or one of several on etcd (controller.json, written by `grappe cluster`).
  const clusterConfig = readControllerConfig(layout.root);
  const plane: ControlPlane | undefined = clusterConfig ? await openControlPlane(clusterConfig, layout.root, cluster, clock) : undefined;
  const metrics = new ControllerMetrics();
  const rawStore: Store = plane?.store ?? openSqliteStore(layout.database);
  const store = instrumentStore(rawStore, metrics);
  const loopStops: Array<() => Promise<void> | void> = [];
  const serveStops: Array<() => Promise<void> | void> = [];
  const logRing = new LogRing();
  const app = createHttpApp({
    tls: { certPem: readFileSync(layout.apiCert, 'utf8'), keyPem: readFileSync(layout.apiKey, 'utf8') },
    logLevel: opts.logLevel ?? 'info',
    logRing,
  });
  const stopLoops = async (): Promise<void> => {
    for (const stop of loopStops.splice(0).reverse()) await stop();
  };
  const stopServing = async (): Promise<void> => {
    for (const stop of serveStops.splice(0).reverse()) await stop();
  };
  try {
    const events = new StoreEventBus(store, clock, { shared: plane !== undefined });
    const tasks = new StoreTaskRunner(store, clock, events, app.log);
    const ctx: ControllerContext = {
      runtimes: new RuntimeSlots(() => ctx),
      store,
      clock,
      tasks,
      events,
      audit: new StoreAuditLog(store, clock),
      metrics,
      log: (level, message) => app.log[level](message),
      logRing,
      dataDir: layout.root,
      cluster,
      agentBundle: { path: opts.agentBundlePath ?? defaultAgentBundlePath(), version: grappeVersion() },
      settings: {
        monitorIntervalMs: opts.monitorIntervalMs ?? 2000,
        ...(opts.tokenTtlMs === undefined ? {} : { tokenTtlMs: opts.tokenTtlMs }),
        strictErrorCodes: opts.strictErrorCodes ?? process.env['GRAPPE_STRICT_ERROR_CODES'] === '1',
        ...(opts.usageIntervalMs === undefined ? {} : { usageIntervalMs: opts.usageIntervalMs }),
        ...(opts.admissionGraceMs === undefined ? {} : { admissionGraceMs: opts.admissionGraceMs }),
        ...(opts.notifyRetry === undefined ? {} : { notifyRetry: opts.notifyRetry }),
      },
      ...(plane ? { controlPlane: plane } : {}),
    };
    const modules = [coreModule, ...installedModules, ...(opts.extraModules ?? [])];
    const specs: RouteSpec[] = modules.flatMap((m) => m.routes(ctx));
    specs.push(...openApiRoutes(() => buildOpenApi(specs, { version: grappeVersion() })));
    if (plane) installControlPlaneGate(app, plane);
    const routes = registerRoutes(app, ctx, specs, routeAuthorizer(ctx, opts.extraAccess));
    installApiMetrics(app, metrics);
    installFallback(app, routes, opts.webRoot ?? webDistDir());
    // WebSockets (the guest consoles) are served on the upgrade, outside fastify's routing.
    app.server.on('upgrade', guestUpgradeListener(ctx));

    const url = await app.listen({ host: opts.host ?? '0.0.0.0', port: opts.port ?? DEFAULT_API_PORT });
    // What every controller does, leader or not (read-only: usage figures), until shutdown.
    for (const m of modules) if (m.serve) serveStops.push(m.serve(ctx));
    // The loops that act (monitor, HA, scheduler, target sync…) run on the leader only; tasks a
    // previous leader (or this controller's previous life) left running are failed visibly first.
    const startLoops = async (why: string): Promise<void> => {
      const interrupted = await tasks.failInterrupted(why);
      if (interrupted > 0) app.log.warn(`${interrupted} task(s) were cut short (${why}) and are marked failed`);
      for (const m of modules) if (m.start) loopStops.push(m.start(ctx));
    };
    if (plane) {
      await plane.start({
        elected: async (term, previous) => {
          const from = previous?.name ?? 'none';
          await events.emit(leaderChangedEvent(term, previous, plane.config.name));
          await startLoops(`the leader changed (term ${term - 1} → ${term}, from ${from} to ${plane.config.name}) while the task ran; retry it`);
        },
        deposed: async (why) => {
          await stopLoops();
          events.notifyLocal({
            type: 'cluster.deposed',
            severity: 'warning',
            subject: `controller:${plane.config.name}`,
            message: `controller ${plane.config.name} stopped leading: ${why}`,
          });
        },
        quorumChanged: (has, view) => {
          const event = quorumEvent(has, view);
          if (has && plane.isLeader()) void events.emit(event).catch(() => events.notifyLocal(event));
          else events.notifyLocal(event);
          app.log[has ? 'info' : 'error'](event.message);
        },
        presenceChanged: (name, present) => {
          void events
            .emit({
              type: present ? 'cluster.controller-joined' : 'cluster.controller-lost',
              severity: present ? 'info' : 'warning',
              subject: `controller:${name}`,
              message: present ? `controller ${name} is up` : `controller lost: ${name} (its lease ran out)`,
            })
            .catch(() => undefined);
        },
        log: (level, message) => app.log[level](message),
      });
    } else {
      await startLoops(RESTART_FAILURE);
    }
    if (!existsSync(ctx.agentBundle.path)) app.log.warn(`no agent bundle at ${ctx.agentBundle.path}: run \`npm run build\` before updating connectors`);

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        await stopLoops();
        await stopServing();
        await app.close();
        for (const m of modules) await m.close?.(ctx);
        ctx.runtimes.get(AGENT_CONNECTIONS).close();
        await (plane ? plane.stop() : store.close()); // a leader resigns: another takes over at once
      })());
    return { url: publicUrl(url, opts.host), ctx, close };
  } catch (err) {
    await stopLoops();
    await stopServing();
    await app.close().catch(() => undefined);
    await (plane ? plane.stop() : store.close());
    throw err;
  }
}

// fastify reports the first address it bound; on 0.0.0.0 that is not a useful address to print.
function publicUrl(url: string, host: string | undefined): string {
  return host === undefined || host === '0.0.0.0' ? url.replace(/\/\/[^:/]+/, '//127.0.0.1') : url;
}
