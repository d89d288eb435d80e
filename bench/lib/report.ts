// A benchmark prints exactly one JSON object on stdout, so runs can be compared and checked by machine:
//   { bench, params, results, targets: [{ metric, actual, max, pass }], pass }

export interface Target {
  readonly metric: string;
  readonly actual: number | null;
  readonly max: number;
  readonly pass: boolean;
}

export interface BenchReport {
  readonly bench: string;
  readonly params: Record<string, unknown>;
  readonly results: Record<string, unknown>;
  readonly targets: readonly Target[];
  readonly pass: boolean;
}

/** `actual` must be a number no greater than `max`; a missing figure (null) fails. */
export function target(metric: string, actual: number | null | undefined, max: number): Target {
  const value = actual ?? null;
  return { metric, actual: value, max, pass: value !== null && Number.isFinite(value) && value <= max };
}

/** `pass` = every target met and `also` (e.g. "no request failed"). */
export function buildReport(
  bench: string,
  params: Record<string, unknown>,
  results: Record<string, unknown>,
  targets: readonly Target[],
  also = true,
): BenchReport {
  return { bench, params, results, targets, pass: also && targets.every((t) => t.pass) };
}

export function printReport(report: BenchReport, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`${JSON.stringify(report, null, 2)}\n`);
}
