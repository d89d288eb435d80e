// The controller's Prometheus instruments (prom-client), in a registry of its own (tests run several
// controllers in one process). What code measures as it runs (API calls, store calls, migrations) is
// recorded here through MetricsRecorder; what is counted from the event stream (failovers, fences, tasks)
// by countEvent; the state gauges (hosts, guests, usage, HA, leadership) are filled at each scrape
// (scrape-gauges.ts).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventView } from '../../contract/event.contract.ts';
import type { MetricsRecorder } from '../platform/types.ts';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DOWNTIME_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const TASK_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Tasks whose start is remembered to time them; beyond it the oldest are forgotten (never unbounded). */
const TRACKED_TASKS_MAX = 10_000;

export class ControllerMetrics implements MetricsRecorder {
  readonly registry = new Registry();
  private readonly taskStarts = new Map<string, number>();

  private readonly apiDuration = this.histogram('grappe_api_request_duration_seconds', 'API requests by route, method and status class', [
    'method',
    'route',
    'status_class',
  ]);
  private readonly storeDuration = this.histogram('grappe_store_operation_duration_seconds', 'Store calls by operation', ['operation']);
  private readonly migrations = this.counter('grappe_migrations_total', 'Guest moves (live, storage or cold) that completed', ['kind']);
  private readonly downtime = this.histogram('grappe_migration_downtime_seconds', 'Measured downtime of guest moves', ['kind'], DOWNTIME_BUCKETS);
  private readonly failovers = this.counter('grappe_ha_failovers_total', 'HA guests recovered on another host after their host failed', []);
  private readonly fences = this.counter('grappe_ha_fences_total', 'Hosts fenced by HA', []);
  private readonly recoveryFailures = this.counter('grappe_ha_recovery_failures_total', 'HA restarts that failed (HA retries them)', []);
  private readonly taskDuration = this.histogram(
    'grappe_task_duration_seconds',
    'Duration of ended tasks by kind and result',
    ['kind', 'result'],
    TASK_BUCKETS,
  );
  private readonly eventCount = this.counter('grappe_events_total', 'Events on the event stream by type and severity', ['type', 'severity']);

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'grappe_controller_' });
    // prom-client names these gauges *_total, which Prometheus's conventions keep for counters.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
      this.registry.removeSingleMetric(`grappe_controller_${name}`);
  }

  apiRequest(method: string, route: string, status: number, seconds: number): void {
    this.apiDuration.observe({ method, route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }

  storeCall(operation: string, seconds: number): void {
    this.storeDuration.observe({ operation }, seconds);
  }

  migration(kind: string, downtimeMs: number): void {
    this.migrations.inc({ kind });
    if (kind !== 'cold' && Number.isFinite(downtimeMs) && downtimeMs >= 0) this.downtime.observe({ kind }, downtimeMs / 1000);
  }

  /** One event of the stream: the counters that are events (failovers, fences, task durations). */
  countEvent(e: EventView): void {
    this.eventCount.inc({ type: e.type, severity: e.severity });
    if (e.type === 'ha.guest-recovered') this.failovers.inc();
    else if (e.type === 'ha.host-fenced') this.fences.inc();
    else if (e.type === 'ha.recovery-failed') this.recoveryFailures.inc();
    else if (e.type === 'task.updated') this.timeTask(e);
  }

  private timeTask(e: EventView): void {
    const id = typeof e.data?.['id'] === 'string' ? e.data['id'] : undefined;
    const state = e.data?.['state'];
    if (!id) return;
    const at = Date.parse(e.at);
    if (state === 'queued' || state === 'running') {
      if (!this.taskStarts.has(id)) this.taskStarts.set(id, at);
      if (this.taskStarts.size > TRACKED_TASKS_MAX) this.taskStarts.delete(this.taskStarts.keys().next().value as string);
      return;
    }
    const started = this.taskStarts.get(id);
    if (started === undefined || (state !== 'succeeded' && state !== 'failed')) return;
    this.taskStarts.delete(id);
    this.taskDuration.observe({ kind: String(e.data?.['kind'] ?? 'unknown'), result: state }, Math.max(0, (at - started) / 1000));
  }

  private histogram(name: string, help: string, labelNames: readonly string[], buckets = LATENCY_BUCKETS): Histogram<string> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  private counter(name: string, help: string, labelNames: readonly string[]): Counter<string> {
    return newCounter(this.registry, name, help, labelNames);
  }
}

export function newGauge(registry: Registry, name: string, help: string, labelNames: readonly string[]): Gauge<string> {
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

export function newCounter(registry: Registry, name: string, help: string, labelNames: readonly string[]): Counter<string> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}
