// The host's usage over the last hour in its General tab: CPU and memory as small SVG line charts
// from GET /history (per-minute samples the controller keeps a week). Fetched once a minute per host
// at most: the tab is redrawn on every event, the figures change once a minute.
import type { HistoryMetric, HistoryView } from '../../../src/contract/stats.contract.ts';
import { api } from '../api/api-client.ts';
import { h } from './dom.ts';

const WIDTH = 240;
const HEIGHT = 48;
const FRESH_MS = 60_000;
const SVG = 'http://www.w3.org/2000/svg';

const EMPTY_FRESH_MS = 5_000; // a host with no sample yet gets its first one within a minute: ask again soon
const cache = new Map<string, { at: number; fresh: number; view: Promise<HistoryView> }>();

function history(subject: string, metric: HistoryMetric): Promise<HistoryView> {
  const key = `${subject} ${metric}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < hit.fresh) return hit.view;
  const view = api.history(subject, metric, '1h');
  const entry = { at: Date.now(), fresh: FRESH_MS, view };
  cache.set(key, entry);
  view.then(
    (v) => {
      if (v.points.length === 0) entry.fresh = EMPTY_FRESH_MS;
    },
    () => cache.delete(key),
  );
  return view;
}

/** The polyline's points: time across (the hour), value up (0 to the peak, or to `max` when given). */
export function chartPoints(view: HistoryView, nowMs: number, max?: number): string {
  const start = nowMs - 3600_000;
  const peak = max ?? Math.max(...view.points.map((p) => p.value), 0);
  const y = (v: number) => HEIGHT - (peak > 0 ? (v / peak) * (HEIGHT - 2) : 0) - 1;
  return view.points.map((p) => `${(((Date.parse(p.at) - start) / 3600_000) * WIDTH).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
}

function chart(view: HistoryView, label: string, last: string, max?: number): HTMLElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute('width', String(WIDTH));
  svg.setAttribute('height', String(HEIGHT));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${label} over the last hour`);
  const line = document.createElementNS(SVG, view.points.length === 1 ? 'circle' : 'polyline');
  if (view.points.length === 1) {
    const [x, y] = chartPoints(view, Date.now(), max).split(',');
    line.setAttribute('cx', x ?? '0');
    line.setAttribute('cy', y ?? '0');
    line.setAttribute('r', '2');
  } else line.setAttribute('points', chartPoints(view, Date.now(), max));
  line.setAttribute('class', 'usage-line');
  svg.appendChild(line);
  return h('figure', { class: 'usage-chart', 'data-testid': `usage-${view.metric}` }, h('figcaption', {}, `${label}: ${last}`), svg);
}

const percent = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}% of a core`;
const mib = (v: number) => `${Math.round(v / 2 ** 20)} MiB`;

/** A placeholder filled when the figures arrive (or saying why there are none). */
export function usageCharts(hostName: string, memoryTotalMiB: number): HTMLElement {
  const box = h('div', { class: 'usage', 'data-testid': 'usage' }, h('p', { class: 'empty' }, 'loading the last hour…'));
  const subject = `host:${hostName}`;
  void Promise.all([history(subject, 'cpu'), history(subject, 'memory')])
    .then(([cpu, memory]) => {
      const charts: HTMLElement[] = [];
      if (cpu.points.length > 0) charts.push(chart(cpu, 'CPU', percent(cpu.points.at(-1)!.value)));
      if (memory.points.length > 0) charts.push(chart(memory, 'Memory', mib(memory.points.at(-1)!.value), memoryTotalMiB * 2 ** 20));
      box.replaceChildren(...(charts.length > 0 ? charts : [h('p', { class: 'empty' }, 'no samples yet: the first come a minute after the host is added')]));
    })
    .catch((e: unknown) => box.replaceChildren(h('p', { class: 'empty' }, `figures unavailable: ${e instanceof Error ? e.message : String(e)}`)));
  return box;
}
