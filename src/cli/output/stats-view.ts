// `grappe host|guest stats`: one line per figure over the span: last, average, peak, and a sparkline of
// the per-minute samples. Pure: history views in, text out.
import type { HistoryMetric, HistoryView } from '../../contract/stats.contract.ts';
import { renderTable } from './table.ts';

const BARS = '▁▂▃▄▅▆▇█';
const SPARK_WIDTH = 30;

const LABELS: Record<HistoryMetric, string> = {
  cpu: 'CPU',
  memory: 'memory',
  diskRead: 'disk read',
  diskWrite: 'disk write',
  netRx: 'net in',
  netTx: 'net out',
};

/** A value in its unit as an admin reads it: 37% of a core, 612 MiB, 1.2 MiB/s. */
export function formatFigure(metric: HistoryMetric, value: number): string {
  if (metric === 'cpu') return `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%`;
  return `${formatBytes(value)}${metric === 'memory' ? '' : '/s'}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? Math.round(v) : v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** Samples squeezed to `width` bars (the mean of each bucket), scaled to the span's peak. */
export function sparkline(values: readonly number[], width = SPARK_WIDTH): string {
  if (values.length === 0) return '';
  const buckets = Math.min(width, values.length);
  const means = Array.from({ length: buckets }, (_, i) => {
    const part = values.slice(Math.floor((i * values.length) / buckets), Math.floor(((i + 1) * values.length) / buckets));
    return part.reduce((a, b) => a + b, 0) / Math.max(1, part.length);
  });
  const peak = Math.max(...means);
  return means.map((m) => BARS[peak <= 0 ? 0 : Math.min(BARS.length - 1, Math.round((m / peak) * (BARS.length - 1)))]).join('');
}

export function renderStats(subject: string, since: string, views: readonly HistoryView[]): string {
  const rows = views.map((v) => {
    const values = v.points.map((p) => p.value);
    if (values.length === 0) return [LABELS[v.metric], '-', '-', '-', 'no samples yet'];
    const avg = values.reduce((a, b) => a + b, 0) / values.length;
    return [
      LABELS[v.metric],
      formatFigure(v.metric, values[values.length - 1]!),
      formatFigure(v.metric, avg),
      formatFigure(v.metric, Math.max(...values)),
      sparkline(values),
    ];
  });
  const samples = Math.max(0, ...views.map((v) => v.points.length));
  const head = `${subject}: the last ${since} (${samples} per-minute sample${samples === 1 ? '' : 's'}; CPU in % of one core)\n`;
  return (
    head +
    renderTable(
      [
        { header: 'FIGURE' },
        { header: 'LAST', align: 'right' },
        { header: 'AVERAGE', align: 'right' },
        { header: 'PEAK', align: 'right' },
        { header: 'TREND' },
      ],
      rows,
    )
  );
}
