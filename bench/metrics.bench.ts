// Metrics benchmark. (1) Scrape: a real controller with 100 hosts and 1,000 guests in its store and a
// usage report for every host (CPU, memory, disk and network of each guest, as agents send them);
// GET /api/v1/metrics is scraped back to back, its latency measured end to end over HTTPS.
// (2) History: a week of per-minute samples for N guests written into a history file (half idle,
// half busy with noisy figures), then its size per guest per week, and extrapolated to 1,000 guests.
// Run: node --import tsx bench/metrics.bench.ts [--hosts 100] [--guests 1000] [--scrapes 50] [--history-guests 40]
// Prints one JSON report; exits 1 when a target is missed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AgentStats } from '../src/contract/stats.contract.ts';
import type { HostRecord } from '../src/controller/hosts/host-record.ts';
import { HistoryDb } from '../src/controller/metrics/history-db.ts';
import { METRICS_RUNTIME, metricsRuntime } from '../src/controller/metrics/metrics-runtime.ts';
import { UsageCollector } from '../src/controller/metrics/usage-collector.ts';
import { startControllerHarness } from '../test/support/controller-harness.ts';
import { seedGuest, seedHost } from '../test/support/seed-cluster.ts';
import { createHttpClient } from './lib/http-client.ts';
import { buildReport, printReport, target } from './lib/report.ts';
import { round, summarize } from './lib/stats.ts';

const { values: args } = parseArgs({
  options: {
    hosts: { type: 'string', default: '100' },
    guests: { type: 'string', default: '1000' },
    scrapes: { type: 'string', default: '200' },
    'history-guests': { type: 'string', default: '40' },
    only: { type: 'string' }, // 'scrape' or 'history'
  },
});
const HOSTS = Number(args.hosts);
const GUESTS = Number(args.guests);
const SCRAPES = Number(args.scrapes);
const HISTORY_GUESTS = Number(args['history-guests']);
const WEEK_MINUTES = 7 * 24 * 60;

/** A deterministic pseudo-random sequence (the figures must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function reportOf(host: HostRecord, guests: readonly string[], atMs: number): AgentStats {
  const r = lcg(host.id);
  const io = () => ({
    diskReadBytes: Math.floor(r() * 1e9),
    diskWriteBytes: Math.floor(r() * 1e9),
    netRxBytes: Math.floor(r() * 1e9),
    netTxBytes: Math.floor(r() * 1e9),
  });
  return {
    atMs,
    host: { cpus: 64, memoryTotalBytes: 256 * 2 ** 30, memoryUsedBytes: Math.floor(r() * 200 * 2 ** 30), cpuSeconds: r() * 1e6, ...io() },
    guests: guests.map((id) => ({ id, cpuSeconds: r() * 1e5, memoryBytes: Math.floor(r() * 4 * 2 ** 30), ...io() })),
    certificateNotAfter: null,
  };
}

async function scrapeBench(): Promise<Record<string, unknown>> {
  const h = await startControllerHarness({ monitorIntervalMs: 3_600_000, usageIntervalMs: 3_600_000, logLevel: 'warn' });
  try {
    const ctx = h.controller.ctx;
    const hosts: HostRecord[] = [];
    for (let i = 0; i < HOSTS; i++) hosts.push(await seedHost(ctx, { name: `bench-${String(i).padStart(4, '0')}`, cpus: 64, memoryMiB: 262_144 }));
    const guestsOf = new Map<number, string[]>(hosts.map((host) => [host.id, []]));
    for (let n = 0; n < GUESTS; n++) {
      const host = hosts[n % HOSTS]!;
      const g = await seedGuest(ctx, 1000 + n, host.id, { state: 'running', memoryMiB: 512, vcpus: 1 });
      guestsOf.get(host.id)!.push(g.id);
    }
    // A collector whose "agents" answer canned reports for every guest: one round fills /metrics.
    const current = metricsRuntime(ctx);
    const usage = new UsageCollector(ctx, current.history, 3_600_000, async (host) => reportOf(host, guestsOf.get(host.id) ?? [], ctx.clock.now()));
    ctx.runtimes.set(METRICS_RUNTIME, { ...current, usage });
    await usage.round();

    const first = await h.api('GET', '/api/v1/metrics');
    const text = String(first.body);
    const series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    const guestSeries = (text.match(/^grappe_guest_cpu_seconds_total\{/gm) ?? []).length;
    // Scraped as Prometheus does: one kept-alive connection, gzip asked for, the whole body read.
    const token = String((await h.api('POST', '/api/v1/metrics/token', { ttlDays: 1 })).body.token);
    const prometheus = createHttpClient({ baseUrl: h.controller.url, token, insecure: true, gzip: true });
    const ms: number[] = [];
    for (let i = 0; i < SCRAPES; i++) {
      const t0 = performance.now();
      const r = await prometheus.request('GET', '/api/v1/metrics');
      ms.push(performance.now() - t0);
      if (r.status !== 200) throw new Error(`scrape ${i}: HTTP ${r.status}`);
    }
    prometheus.close();
    return { scrapeMs: summarize(ms), bytes: Buffer.byteLength(text), series, guestsWithUsage: guestSeries };
  } finally {
    await h.close();
  }
}

async function historyBench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'grappe-history-bench-'));
  try {
    const db = new HistoryDb(join(dir, 'history.sqlite'));
    const r = lcg(7);
    const t0 = Date.UTC(2026, 0, 5);
    const started = performance.now();
    for (let m = 0; m < WEEK_MINUTES; m++) {
      const at = t0 + m * 60_000;
      for (let g = 0; g < HISTORY_GUESTS; g++) {
        const busy = g % 2 === 1;
        const v = (scale: number) => (busy ? r() * scale : scale / 100);
        db.record(`guest:vm:${1000 + g}`, at, {
          cpu: v(2),
          memory: busy ? 2 ** 30 * (1 + r()) : 2 ** 29,
          diskRead: v(5e7),
          diskWrite: v(5e7),
          netRx: v(1e8),
          netTx: v(1e8),
        });
      }
      await db.flush(at);
    }
    const writeSeconds = (performance.now() - started) / 1000;
    const readStart = performance.now();
    const week = db.read('guest:vm:1001', 'cpu', t0, t0 + WEEK_MINUTES * 60_000);
    const readWeekMs = performance.now() - readStart;
    const bytes = db.sizeBytes();
    db.close();
    const perGuest = bytes / HISTORY_GUESTS;
    return {
      guests: HISTORY_GUESTS,
      minutes: WEEK_MINUTES,
      bytes,
      bytesPerGuestWeek: Math.round(perGuest),
      mibFor1000GuestsAnd100Hosts: round((perGuest * 1100) / 2 ** 20, 1),
      writeSeconds: round(writeSeconds, 1),
      readOneWeekOfOneFigureMs: round(readWeekMs, 1),
      pointsInWeek: week.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const scrape = args.only === 'history' ? { scrapeMs: {}, guestsWithUsage: GUESTS } : await scrapeBench();
const history = args.only === 'scrape' ? {} : await historyBench();
const scrapeP99 = (scrape['scrapeMs'] as { p99?: number }).p99;
printReport(
  buildReport(
    'metrics',
    { hosts: HOSTS, guests: GUESTS, scrapes: SCRAPES, historyGuests: HISTORY_GUESTS },
    { scrape, history },
    [target('scrape p99 ms (1,000 guests)', scrapeP99, 100)],
    scrape['guestsWithUsage'] === GUESTS,
  ),
);
process.exitCode = 0;
