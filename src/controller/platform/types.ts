// Interfaces shared by the controller's parts. Implementations live beside this file
// (tasks.ts, events.ts, audit.ts, routes.ts); resource modules (hosts/, later guests/, ha/) depend
// only on these shapes.
import type { Registry } from 'prom-client';
import type { LogRing } from '../../streams/log-ring.ts';
import type { RuntimeSlots } from './runtime-slots.ts';
import type { z } from 'zod';
import type { ErrorCode } from '../../core/error-catalog.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../store/store.ts';
import type { EventView } from '../../contract/event.contract.ts';
import type { AuditEntry } from '../../contract/audit.contract.ts';
import type { TaskView } from '../../contract/task.contract.ts';
import type { ClusterStatusView, JoinAnswer, JoinRequest, JoinTokenView } from '../../contract/cluster.contract.ts';

/** Time and identity, injected so logic can be tested with a fake clock. */
export interface Clock {
  now(): number; // epoch ms
}

export interface Actor {
  readonly username: string;
  /** Set for a scoped token: it may call only the routes that accept that scope. */
  readonly scope?: 'metrics';
  /** Set when the caller is an API token ('<user>!<name>'): it acts with its own grants, never beyond its user's. */
  readonly token?: string;
}

/** What a running task may do: report progress and log lines. */
export interface TaskContext {
  readonly id: string;
  progress(fraction: number, message?: string): Promise<void>;
  log(message: string): Promise<void>;
}

export interface TaskRunner {
  /**
   * Creates a task (persisted, state 'queued' then 'running') and runs `work` in the background.
   * Resolves with the task id as soon as the task is recorded. `work`'s return value becomes the
   * task's result; a thrown GrappeError makes the task 'failed' with its code and message.
   */
  start(spec: { kind: string; target: string; actor: Actor }, work: (ctx: TaskContext) => Promise<unknown>): Promise<string>;
  /** Resolves when the task has ended, with its final view. */
  wait(id: string): Promise<TaskView>;
  get(id: string): Promise<TaskView | undefined>;
  list(options?: { limit?: number }): Promise<TaskView[]>;
}

export interface EventBus {
  emit(event: Omit<EventView, 'seq' | 'at'>): Promise<void>;
  subscribe(listener: (event: EventView) => void): () => void;
  recent(limit?: number): Promise<EventView[]>;
  /** Events after `seq`, oldest first (what a reconnecting stream missed). */
  since?(seq: number, limit?: number): Promise<EventView[]>;
}

export interface AuditLog {
  record(entry: Omit<AuditEntry, 'seq' | 'at'>): Promise<void>;
  list(options?: { limit?: number; sinceSeq?: number }): Promise<AuditEntry[]>;
}

/** The cluster's identity and key material, loaded from the data dir (written by `grappe init`). */
export interface ClusterIdentity {
  readonly id: string;
  readonly name: string;
  readonly caCertPem: string;
  readonly caKeyPem: string; // to issue agent certificates at enrollment
  /** The controller's client certificate (CN grappe-controller), presented to agents over mutual TLS. */
  readonly controllerCertPem: string;
  readonly controllerKeyPem: string;
}

/** What the controller's code measures as it runs (metrics/controller-metrics.ts implements it). */
export interface MetricsRecorder {
  apiRequest(method: string, route: string, status: number, seconds: number): void;
  storeCall(operation: string, seconds: number): void;
  /** A guest move that completed, with its measured downtime (cold moves have none that counts). */
  migration(kind: string, downtimeMs: number): void;
  /** One event of the stream, for the counters that are events (failovers, fences, task durations). */
  countEvent(event: EventView): void;
  /** Where every instrument is registered (the /metrics route adds its scrape-time gauges there). */
  readonly registry: Registry;
}

/** Everything a resource module needs, handed over by the wiring in main.ts. */
export interface ControllerContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly tasks: TaskRunner;
  readonly events: EventBus;
  readonly audit: AuditLog;
  readonly metrics: MetricsRecorder;
  /** The controller's log, for background work that has no request or task to report to. */
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** The log's newest lines (GET /logs). */
  readonly logRing: LogRing;
  readonly dataDir: string;
  readonly cluster: ClusterIdentity;
  /** The agent bundle this controller ships (dist/grappe-agent.mjs) and its version: what "update connector" pushes. */
  readonly agentBundle: { readonly path: string; readonly version: string };
  /** The areas' live state for this controller (runtime-slots.ts). */
  readonly runtimes: RuntimeSlots<ControllerContext>;
  /** Timing knobs (tests shorten them). */
  readonly settings: {
    readonly monitorIntervalMs: number;
    readonly tokenTtlMs?: number;
    readonly strictErrorCodes?: boolean;
    /** How often every host's usage figures are fetched (default 15 s). */
    readonly usageIntervalMs?: number;
    /** How long a host let into a volume's target stays without a guest of it there (default 10 min). */
    readonly admissionGraceMs?: number;
    /** Notification delivery attempts and backoff (tests shorten it). */
    readonly notifyRetry?: { readonly attempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number };
  };
  /** Present when this controller is one of several on etcd (absent: one controller on SQLite). */
  readonly controlPlane?: ControlPlaneAccess;
}

/** What routes may ask of the control plane (cluster/control-plane.ts implements it). */
export interface ControlPlaneAccess {
  isLeader(): boolean;
  status(): Promise<ClusterStatusView>;
  joinToken(createdBy: string, ttlMinutes: number): Promise<JoinTokenView>;
  admit(request: JoinRequest): Promise<JoinAnswer>;
  remove(name: string): Promise<{ removed: string; remaining: number }>;
}

/** A resource area (hosts, subnets, later guests, ha): its routes and optional background loops. */
export interface ControllerModule {
  readonly name: string;
  routes(ctx: ControllerContext): RouteSpec[];
  /**
   * Starts the work that acts (monitor loops…); returns a stop function. In a cluster of controllers
   * it runs while this controller leads: stopped when it is deposed, started again if re-elected.
   */
  start?(ctx: ControllerContext): () => Promise<void> | void;
  /**
   * Read-only work every controller does from start-up to shutdown, leader or not (collecting usage
   * figures, so any controller serves complete graphs and metrics); returns a stop function.
   */
  serve?(ctx: ControllerContext): () => Promise<void> | void;
  /** Releases what serves every request, leader or not (caches fed by the store's watch): at shutdown only. */
  close?(ctx: ControllerContext): Promise<void> | void;
}

/** Who may call a route: the access table's check, run by the router (access/route-authorizer.ts). */
export interface Authorizer {
  /** At start-up: throws when a route has no line in the access table, or a line that contradicts its `auth`. */
  check(spec: RouteSpec): void;
  /** Before the handler: throws 401/403 saying what the caller lacks. */
  authorize(spec: RouteSpec, input: { readonly params: unknown }, actor: Actor): Promise<void>;
  /** The caller a one-time ticket stands for (`?ticket=`, routes with `ticketInQuery`), used up. */
  redeemTicket(ticket: string): Promise<{ actor: Actor; credentialKey: string }>;
}

/**
 * One REST route, declared once: validated with zod, documented in OpenAPI from the same schemas,
 * audited when `audit` is set (mutating routes). `auth: false` only for /health and /auth/login.
 */
export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string; // fastify syntax, relative to /api/v1, e.g. '/hosts/:id'
  readonly summary: string;
  readonly tags: readonly string[];
  readonly auth?: boolean; // default true
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly response?: z.ZodType; // documented 200/202 body
  /** Audit action name such as 'host.enable'; set on every mutating route. */
  readonly audit?: string;
  /** A token of this scope may call the route too (GET /metrics: Prometheus's read-only token). */
  readonly acceptsScope?: 'metrics';
  /** Also accept a one-time ticket as `?ticket=` (GET /events: browsers' EventSource cannot set headers; never the token itself). */
  readonly ticketInQuery?: boolean;
  /** The codes it may answer besides those every route shares (see route-errors.ts), its task's included. */
  readonly errors: readonly ErrorCode[];
  readonly handler: (input: RouteInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<RouteResult>;
}

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly actor: Actor;
  /** Where the caller's session or token is stored (what a stream watches to end with it); '' for anonymous calls. */
  readonly credentialKey: string;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/** A handler returns a body (200), or a started task (202 + Location, or the ended task with ?wait=true). */
export type RouteResult =
  | { readonly status?: 200 | 201 | 204; readonly body: unknown; readonly auditTarget?: string }
  | { readonly taskId: string; readonly auditTarget?: string }
  /** The handler answered itself through `reply.hijack()` (a stream such as server-sent events). */
  | { readonly hijacked: true };
