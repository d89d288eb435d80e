// Latency statistics for benchmark reports. Pure: numbers in, numbers out.
// Percentiles use the nearest-rank method (the value below which p% of samples fall, always a real
// sample), the usual choice for latency SLOs such as "p99 ≤ 20 ms".

export interface Summary {
  readonly count: number;
  /** null when there are no samples. */
  readonly min: number | null;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** Nearest-rank percentile of ascending-sorted `sorted`, `p` in [0, 100]; undefined when empty. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within 0..100, got ${p}`);
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function summarize(values: readonly number[], decimals = 3): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number | null => {
    const v = percentile(sorted, p);
    return v === undefined ? null : round(v, decimals);
  };
  const total = sorted.reduce((sum, v) => sum + v, 0);
  return {
    count: sorted.length,
    min: at(0),
    mean: sorted.length === 0 ? null : round(total / sorted.length, decimals),
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: at(100),
  };
}

export function round(value: number, decimals = 3): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

export interface SampleSeries<K extends string> {
  /** Every sample so far, by series. */
  readonly values: Readonly<Record<K, readonly number[]>>;
  /** Records one run: a sample for each series. */
  add(run: Readonly<Record<K, number>>): void;
  summary(decimals?: number): Record<K, Summary>;
}

/** Named series of samples gathered run by run (e.g. total, create, start) and summarized together. */
export function sampleSeries<K extends string>(...names: K[]): SampleSeries<K> {
  const values = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  return {
    values,
    add: (run) => {
      for (const n of names) values[n].push(run[n]);
    },
    summary: (decimals = 3) => Object.fromEntries(names.map((n) => [n, summarize(values[n], decimals)])) as Record<K, Summary>,
  };
}
