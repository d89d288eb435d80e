// Where an etcd member's TLS files are, the flags that use them, and a GET of etcd's HTTP endpoints
// (/health, /version) over mutual TLS. The certificates themselves come from the cluster CA
// (src/controller/cluster/etcd-security.ts).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

export interface EtcdTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export const etcdTlsFiles = (dir: string): EtcdTlsFiles => ({
  caFile: join(dir, 'ca.crt'),
  certFile: join(dir, 'member.crt'),
  keyFile: join(dir, 'member.key'),
});

/** GET of an etcd HTTP endpoint; over TLS when the URL is https, presenting the certificate if given. */
export function etcdHttpGet(baseUrl: string, path: string, timeoutMs: number, tls?: Pick<EtcdTlsFiles, 'caFile'> & Partial<EtcdTlsFiles>): Promise<string> {
  if (!baseUrl.startsWith('https:')) {
    return fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) }).then(async (r) => {
      const body = await r.text();
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${body.slice(0, 200)}`);
      return body;
    });
  }
  const client = tls?.certFile && tls.keyFile ? { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } : {};
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { timeout: timeoutMs, ...(tls ? { ca: readFileSync(tls.caFile) } : {}), ...client }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
