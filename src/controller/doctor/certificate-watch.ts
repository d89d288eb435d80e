// Certificates that will expire: the cluster CA, the controller's API and client certificates (from
// the data dir) and each agent's (from its usage reports), checked at start and twice a day on the
// leader; one within 30 days of its end is an event ('pki.certificate-expiring', a notification kind),
// said again at most once a day per certificate.
import { readFile } from 'node:fs/promises';
import { certificateCheck } from '../../core/doctor/doctor-rules.ts';
import { messageOf } from '../../core/errors.ts';
import { certificateNotAfter } from '../../pki/pki.ts';
import { dataDirLayout } from '../data-dir.ts';
import { metricsRuntime } from '../metrics/metrics-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';

export const CERTIFICATE_WATCH_INTERVAL_MS = 12 * 3600_000;
const REPEAT_AFTER_MS = 24 * 3600_000;

/** Each certificate the cluster depends on and when it ends (epoch ms). */
async function certificates(ctx: ControllerContext): Promise<Array<{ what: string; notAfterMs: number }>> {
  const layout = dataDirLayout(ctx.dataDir);
  const files = [
    { what: 'cluster CA', path: layout.caCert },
    { what: 'controller API', path: layout.apiCert },
    { what: 'controller client', path: layout.controllerCert },
  ];
  const out: Array<{ what: string; notAfterMs: number }> = [];
  for (const f of files) {
    try {
      out.push({ what: f.what, notAfterMs: Date.parse(certificateNotAfter(await readFile(f.path, 'utf8'))) });
    } catch (e) {
      ctx.log('warn', `certificate watch: cannot read ${f.path}: ${messageOf(e)}`);
    }
  }
  for (const u of metricsRuntime(ctx).usage.current()) {
    if (u.stats.certificateNotAfter) out.push({ what: `agent of ${u.host}`, notAfterMs: Date.parse(u.stats.certificateNotAfter) });
  }
  return out;
}

export function startCertificateWatch(ctx: ControllerContext, intervalMs = CERTIFICATE_WATCH_INTERVAL_MS): () => void {
  const saidAt = new Map<string, number>();
  const check = async (): Promise<void> => {
    const now = ctx.clock.now();
    for (const c of await certificates(ctx)) {
      const result = certificateCheck(c.what, c.notAfterMs, now);
      if (result.status === 'ok' || now - (saidAt.get(c.what) ?? -Infinity) < REPEAT_AFTER_MS) continue;
      saidAt.set(c.what, now);
      await ctx.events.emit({
        type: 'pki.certificate-expiring',
        severity: result.status === 'fail' ? 'error' : 'warning',
        subject: `certificate:${c.what}`,
        message: `certificate of the ${c.what}: ${result.detail}; ${result.fix ?? 'renew it'}`,
        data: { certificate: c.what, notAfter: new Date(c.notAfterMs).toISOString(), alert: true },
      });
    }
  };
  const run = (): void => void check().catch((e: unknown) => ctx.log('warn', `certificate watch failed: ${messageOf(e)}`));
  run();
  const timer = setInterval(run, intervalMs);
  return () => clearInterval(timer);
}
