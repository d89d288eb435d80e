// `grappe metrics token`: a token that may only read /api/v1/metrics, for Prometheus's scrape config.
import type { Command } from 'commander';
import { metricsTokenView } from '../../contract/stats.contract.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import type { Runtime } from '../runtime.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { withClient } from './session.ts';

export function registerMetrics(program: Command, rt: Runtime): void {
  const metrics = program.command('metrics').description('Prometheus metrics of the controller (GET /api/v1/metrics)');
  withJson(
    metrics
      .command('token')
      .description('make a token that may only read /api/v1/metrics (shown once): put it in Prometheus as a bearer token')
      .option('--ttl-days <days>', 'how long it is valid', positiveIntArg, 365),
  ).action(async (opts: JsonFlag & { ttlDays: number }) => {
    await withClient(rt, async (client) => {
      const res = await client.request('POST', '/metrics/token', { ttlDays: opts.ttlDays });
      const view = client.parse(metricsTokenView, res.body, 'POST /metrics/token');
      if (opts.json) return printJson(rt, view);
      rt.stdout.write(
        `metrics token (shown once; valid until ${view.expiresAt}):\n  ${view.token}\n` +
          `Prometheus scrape config:\n  - job_name: grappe\n    scheme: https\n    metrics_path: /api/v1/metrics\n` +
          `    authorization: { credentials: <the token> }\n    tls_config: { ca_file: <the cluster CA> }\n`,
      );
    });
  });
}
