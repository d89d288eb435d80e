// The metrics area's live state on one controller: the scrape-time gauges, the history file and the
// usage collector, made on first use and shared by the routes and the collecting loop.
import { join } from 'node:path';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import type { ControllerContext } from '../platform/types.ts';
import { HistoryDb } from './history-db.ts';
import { ScrapeGauges } from './scrape-gauges.ts';
import { DEFAULT_USAGE_INTERVAL_MS, UsageCollector } from './usage-collector.ts';

export interface MetricsRuntime {
  readonly gauges: ScrapeGauges;
  readonly history: HistoryDb;
  readonly usage: UsageCollector;
}

/** Exported for the benchmark, which puts a collector with canned reports in it. */
export const METRICS_RUNTIME = runtimeSlot('metrics', (ctx: ControllerContext): MetricsRuntime => {
  const history = new HistoryDb(join(ctx.dataDir, 'history.sqlite'));
  return {
    gauges: new ScrapeGauges(ctx.metrics.registry),
    history,
    usage: new UsageCollector(ctx, history, ctx.settings.usageIntervalMs ?? DEFAULT_USAGE_INTERVAL_MS),
  };
});

export const metricsRuntime = (ctx: ControllerContext): MetricsRuntime => ctx.runtimes.get(METRICS_RUNTIME);
