// Runs a fuzz corpus against a controller and sums it up: counts by status, the 5xx answers, and the
// routes that answered a call without a session with anything but 401.
import { fuzzCases, send, type FuzzAnswer, type OpenApiDoc } from './api-fuzzer.ts';

/** Calls the fuzzer does not make with a session: they would end it (logout) or are the session itself. */
export const FUZZ_SKIP: ReadonlySet<string> = new Set(['POST /api/v1/auth/logout']);

export interface FuzzResult {
  readonly routes: number;
  readonly requests: number;
  readonly byStatus: Record<string, number>;
  readonly serverErrors: FuzzAnswer[];
  readonly openWithoutSession: string[];
}

export async function runFuzz(
  baseUrl: string,
  token: string,
  doc: OpenApiDoc,
  opts: { seed: number; perRoute: number; skip: ReadonlySet<string> },
): Promise<FuzzResult> {
  const cases = fuzzCases(doc, opts.seed, opts.perRoute, opts.skip);
  const byStatus: Record<string, number> = {};
  const serverErrors: FuzzAnswer[] = [];
  const open = new Set<string>();
  for (const c of cases) {
    const a = await send(baseUrl, token, c);
    byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    if (a.status >= 500 || a.status === 0) serverErrors.push(a);
    if (!c.auth && a.status !== 401) open.add(c.route);
  }
  return { routes: new Set(cases.map((c) => c.route)).size, requests: cases.length, byStatus, serverErrors, openWithoutSession: [...open] };
}
