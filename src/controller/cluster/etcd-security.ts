// Mutual TLS for a controller's etcd member, from the cluster CA: the member's certificate serves its
// client and peer ports and is also what this controller presents as a client, and etcd accepts only
// clients and peers with a certificate of that CA. Without it, anyone on the management LAN could
// read or write the store (users, tokens, every record). Files under <data dir>/pki/etcd/, issued on
// first use; none when the cluster's etcd URLs are plain http (the store's own tests).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { etcdTlsFiles, type EtcdTlsFiles } from '../../process/etcd-tls.ts';
import { issueCert, type CertAndKey } from '../../pki/pki.ts';
import type { EtcdCredentials } from '../../store/etcd-store.ts';
import { dataDirLayout } from '../data-dir.ts';
import type { ClusterIdentity } from '../platform/types.ts';

const isIp = (a: string): boolean => /^[\d.]+$/.test(a) || a.includes(':');

/** The member's certificate files, issued by `ca` on first use (for `address` and loopback). */
export async function ensureEtcdTls(dir: string, ca: CertAndKey, name: string, address: string): Promise<EtcdTlsFiles> {
  const files = etcdTlsFiles(dir);
  if (existsSync(files.certFile) && existsSync(files.keyFile) && existsSync(files.caFile)) return files;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ipAddresses = [...new Set([address, '127.0.0.1'])].filter(isIp);
  const dnsNames = isIp(address) ? [] : [address];
  const cert = await issueCert(ca, { commonName: `etcd-${name}`, usage: 'both', ipAddresses, dnsNames });
  writeFileSync(files.caFile, ca.certPem, { mode: 0o600 });
  writeFileSync(files.keyFile, cert.keyPem, { mode: 0o600 });
  writeFileSync(files.certFile, cert.certPem, { mode: 0o600 });
  return files;
}

export async function controllerEtcdTls(
  dataDir: string,
  identity: ClusterIdentity,
  name: string,
  etcdUrl: string | undefined,
): Promise<EtcdTlsFiles | undefined> {
  if (!etcdUrl?.startsWith('https:')) return undefined;
  const ca = { certPem: identity.caCertPem, keyPem: identity.caKeyPem };
  return ensureEtcdTls(join(dataDirLayout(dataDir).pkiDir, 'etcd'), ca, name, new URL(etcdUrl).hostname.replace(/^\[|\]$/g, ''));
}

/** What this controller's etcd clients present and trust. */
export const credentialsOf = (files: EtcdTlsFiles): EtcdCredentials => ({
  rootCertificate: readFileSync(files.caFile),
  certChain: readFileSync(files.certFile),
  privateKey: readFileSync(files.keyFile),
});
