// API fuzzing, the long run: every route of the OpenAPI document with a seeded corpus of hostile
// inputs (test/security/api-fuzzer.ts), ≥ 10,000 requests; reports the counts by status, the 5xx
// answers (target: none) and the routes that answered without a session (target: only the public ones).
// Run: node --import tsx bench/fuzz.bench.ts [--per-route 110] [--seed 7]
import { parseArgs } from 'node:util';
import { ROUTE_ACCESS } from '../src/controller/access/route-access.ts';
import type { OpenApiDoc } from '../test/security/api-fuzzer.ts';
import { FUZZ_SKIP, runFuzz } from '../test/security/fuzz-run.ts';
import { startControllerHarness } from '../test/support/controller-harness.ts';
import { seedGuest, seedHost } from '../test/support/seed-cluster.ts';
import { buildReport, printReport, target } from './lib/report.ts';
import { round } from './lib/stats.ts';

const { values: args } = parseArgs({ options: { 'per-route': { type: 'string', default: '110' }, seed: { type: 'string', default: '7' } } });

const h = await startControllerHarness({ monitorIntervalMs: 3_600_000, logLevel: 'error' });
try {
  const host = await seedHost(h.controller.ctx, { name: 'proc1' });
  await seedGuest(h.controller.ctx, 100, host.id);
  const doc = (await h.api('GET', '/api/v1/openapi.json')).body as OpenApiDoc;
  const login = await h.api('POST', '/api/v1/auth/login', { username: 'admin', password: 'harness-admin-password' });
  const t0 = performance.now();
  const r = await runFuzz(h.controller.url, String(login.body.token), doc, { seed: Number(args.seed), perRoute: Number(args['per-route']), skip: FUZZ_SKIP });
  const seconds = (performance.now() - t0) / 1000;
  const publicRoutes = new Set(
    Object.entries(ROUTE_ACCESS)
      .filter(([, rule]) => 'public' in rule)
      .map(([line]) => line),
  );
  const open = r.openWithoutSession.filter((route) => !publicRoutes.has(route.replace('/api/v1', '')));
  printReport(
    buildReport(
      'fuzz',
      { seed: Number(args.seed), perRoute: Number(args['per-route']) },
      {
        routes: r.routes,
        requests: r.requests,
        seconds: round(seconds, 1),
        byStatus: r.byStatus,
        serverErrors: r.serverErrors.slice(0, 20),
        routesOpenWithoutSession: open,
      },
      [target('answers ≥ 500', r.serverErrors.length, 0), target('non-public routes answering without a session', open.length, 0)],
      r.requests >= 10_000,
    ),
  );
} finally {
  await h.close();
}
