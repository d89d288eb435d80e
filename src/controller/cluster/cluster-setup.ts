// `grappe cluster create` and `grappe cluster join`, run on a controller's machine while its controller
// is stopped (like `grappe init`). Create turns a single controller into the first of a cluster: it
// starts an etcd member, copies the SQLite store into etcd, and writes controller.json. Join makes the
// data dir of a new controller from what the leader hands over for a join token. Both all or nothing.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { caView, joinAnswer, type JoinAnswer } from '../../contract/cluster.contract.ts';
import { isErrorCode } from '../../core/error-catalog.ts';
import { GrappeError, relayedError } from '../../core/errors.ts';
import { fingerprint, issueCert } from '../../pki/pki.ts';
import { controllerEtcdTls, credentialsOf } from './etcd-security.ts';
import { startEtcdMember } from '../../process/etcd-member.ts';
import { openEtcdStore } from '../../store/etcd-store.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import type { Op } from '../../store/store.ts';
import { dataDirLayout, existingClusterFiles, loadClusterIdentity, readClusterFile } from '../data-dir.ts';
import { apiCertNames } from '../init-cluster.ts';
import { controllerConfigPath, readControllerConfig, writeControllerConfig, type ControllerConfig } from './cluster-config.ts';
import { parseJoinToken, tokenFingerprint } from './join-tokens.ts';

export const DEFAULT_PORTS = { api: 8443, etcdClient: 7379, etcdPeer: 7380 } as const;

export interface ControllerAddressing {
  readonly name: string;
  /** The address other controllers, hosts and clients reach this controller at. */
  readonly address: string;
  readonly apiPort?: number;
  readonly etcdClientPort?: number;
  readonly etcdPeerPort?: number;
  /** A floating address that follows the leader (CIDR) and this machine's interface for it. */
  readonly vip?: { readonly address: string; readonly interface: string };
}

const urlsOf = (a: ControllerAddressing) => ({
  apiUrl: `https://${a.address}:${a.apiPort ?? DEFAULT_PORTS.api}`,
  // etcd speaks mutual TLS with certificates of the cluster CA (etcd-tls.ts).
  clientUrl: `https://${a.address}:${a.etcdClientPort ?? DEFAULT_PORTS.etcdClient}`,
  peerUrl: `https://${a.address}:${a.etcdPeerPort ?? DEFAULT_PORTS.etcdPeer}`,
});

const ETCD_TXN_OPS = 100; // etcd refuses more than 128 operations in one transaction

export interface CreateResult {
  readonly entriesCopied: number;
  readonly config: ControllerConfig;
}

export async function createControllerCluster(dataDir: string, a: ControllerAddressing): Promise<CreateResult> {
  const layout = dataDirLayout(dataDir);
  readClusterFile(layout); // "run grappe init first" when there is no cluster here
  if (readControllerConfig(layout.root)) {
    throw new GrappeError(
      'alreadyInitialised',
      `data dir '${layout.root}' is already part of a cluster of controllers (found ${controllerConfigPath(layout.root)})`,
      {
        dataDir: layout.root,
      },
    );
  }
  const { apiUrl, clientUrl, peerUrl } = urlsOf(a);
  const identity = loadClusterIdentity(layout.root);
  const member = {
    clientUrl,
    peerUrl,
    initialCluster: [`${a.name}=${peerUrl}`],
    state: 'new' as const,
    clusterToken: `grappe-${identity.id}`,
  };
  const config: ControllerConfig = {
    version: 1,
    name: a.name,
    apiUrl,
    etcd: { endpoints: [clientUrl], namespace: 'grappe/', member },
    leaseTtlSeconds: 2,
    ...(a.vip ? { vip: a.vip } : {}),
  };
  const etcdDir = join(layout.root, 'etcd');
  if (existsSync(etcdDir))
    throw new GrappeError('alreadyInitialised', `data dir '${layout.root}' already has an etcd member (${etcdDir}); remove it to start over`, {
      dataDir: layout.root,
    });
  const tls = await controllerEtcdTls(layout.root, identity, a.name, clientUrl);
  const running = await startEtcdMember({ name: a.name, dataDir: etcdDir, ...member, ...(tls ? { tls } : {}) });
  const sqlite = openSqliteStore(layout.database);
  try {
    const store = await openEtcdStore({
      endpoints: [clientUrl],
      namespace: config.etcd.namespace,
      callTimeoutMs: 10_000,
      ...(tls ? { credentials: credentialsOf(tls) } : {}),
    });
    let copied = 0;
    try {
      if ((await store.list('', { limit: 1 })).length > 0) {
        throw new GrappeError('alreadyInitialised', `etcd at ${clientUrl} already holds a Grappe cluster`, { dataDir: layout.root });
      }
      // Key order, in batches: a reader of the copy sees whole records.
      const entries = await sqlite.list('');
      for (let i = 0; i < entries.length; i += ETCD_TXN_OPS) {
        const ops: Op[] = entries.slice(i, i + ETCD_TXN_OPS).map((e) => ({ put: e.key, value: e.value }));
        await store.txn([], ops);
        copied += ops.length;
      }
    } finally {
      await store.close();
    }
    await sqlite.close();
    // The API certificate must also be valid for this controller's address and the floating one.
    const names = apiCertNames(hostname(), [a.address, ...(a.vip ? [a.vip.address.split('/')[0] ?? ''] : [])]);
    const api = await issueCert({ certPem: identity.caCertPem, keyPem: identity.caKeyPem }, { commonName: a.name, usage: 'server', ...names });
    writeFileSync(layout.apiCert, api.certPem, { mode: 0o644 });
    writeFileSync(layout.apiKey, api.keyPem, { mode: 0o600 });
    writeControllerConfig(layout.root, config);
    // Kept, not deleted: the store as it was, in case the admin wants to go back.
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(layout.database + suffix)) renameSync(layout.database + suffix, `${layout.database}.before-cluster${suffix}`);
    }
    await running.stop();
    return { entriesCopied: copied, config };
  } catch (err) {
    await sqlite.close().catch(() => undefined);
    await running.stop();
    rmSync(etcdDir, { recursive: true, force: true });
    rmSync(controllerConfigPath(layout.root), { force: true });
    throw err;
  }
}

export interface JoinOptions extends ControllerAddressing {
  /** Any controller of the cluster, e.g. https://198.18.0.10:8443 (a follower sends the join on). */
  readonly url: string;
  readonly token: string;
}

export async function joinControllerCluster(dataDir: string, o: JoinOptions): Promise<{ config: ControllerConfig; answer: JoinAnswer }> {
  const layout = dataDirLayout(dataDir);
  const existing = existingClusterFiles(layout);
  if (existing.length > 0) {
    throw new GrappeError('alreadyInitialised', `data dir '${layout.root}' is already initialised (found ${existing.join(', ')}); join from an empty one`, {
      dataDir: layout.root,
    });
  }
  const { caFingerprint } = parseJoinToken(o.token);
  // Trust on the token's word: the CA the cluster shows must be the one the token names.
  const ca = caView.parse(await requestJson(o.url, 'GET', '/api/v1/cluster/ca', undefined, undefined));
  if (tokenFingerprint(fingerprint(ca.caCert)) !== caFingerprint) {
    throw new GrappeError(
      'joinTokenInvalid',
      `join refused: the join token is for another cluster (the CA at ${o.url} is ${ca.fingerprint}); check the address`,
    );
  }
  const { apiUrl, clientUrl, peerUrl } = urlsOf(o);
  const hostPort = (u: string) => u.replace(/^[a-z]+:\/\//, '');
  const body = { token: o.token, name: o.name, api: hostPort(apiUrl), etcdClient: hostPort(clientUrl), etcdPeer: hostPort(peerUrl) };
  const answer = joinAnswer.parse(await requestJson(o.url, 'POST', '/api/v1/cluster/join', body, ca.caCert));
  const config: ControllerConfig = {
    version: 1,
    name: o.name,
    apiUrl,
    etcd: {
      endpoints: answer.etcd.endpoints,
      namespace: answer.etcd.namespace,
      member: { clientUrl, peerUrl, initialCluster: answer.etcd.initialCluster, state: 'existing', clusterToken: answer.etcd.clusterToken },
    },
    leaseTtlSeconds: answer.leaseTtlSeconds,
    ...(answer.vipAddress && o.vip ? { vip: { address: answer.vipAddress, interface: o.vip.interface } } : {}),
  };
  try {
    mkdirSync(layout.pkiDir, { recursive: true, mode: 0o700 });
    const files: [string, string, number][] = [
      [layout.caCert, answer.pki.caCert, 0o644],
      [layout.caKey, answer.pki.caKey, 0o600],
      [layout.controllerCert, answer.pki.controllerCert, 0o644],
      [layout.controllerKey, answer.pki.controllerKey, 0o600],
      [layout.apiCert, answer.pki.apiCert, 0o644],
      [layout.apiKey, answer.pki.apiKey, 0o600],
    ];
    for (const [path, text, mode] of files) writeFileSync(path, text, { mode });
    writeControllerConfig(layout.root, config);
    writeFileSync(layout.clusterFile, `${JSON.stringify(answer.cluster, null, 2)}\n`, { mode: 0o600 });
  } catch (err) {
    rmSync(layout.pkiDir, { recursive: true, force: true });
    rmSync(controllerConfigPath(layout.root), { force: true });
    throw err;
  }
  return { config, answer };
}

/** One HTTPS call with JSON in and out; follows the 307 of a follower once. */
async function requestJson(base: string, method: string, path: string, body: unknown, caPem: string | undefined, hops = 0): Promise<unknown> {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const res = await new Promise<{ status: number; location?: string; body: unknown }>((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        // Before the CA is known (GET /cluster/ca) nothing is trusted: its answer is checked against the token.
        ...(caPem ? { ca: caPem } : { rejectUnauthorized: false }),
        headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        timeout: 30_000,
      },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: kept as text for the error
          }
          resolve({ status: r.statusCode ?? 0, ...(r.headers.location ? { location: r.headers.location } : {}), body: parsed });
        });
      },
    );
    req.on('error', (e) => reject(new GrappeError('unreachable', `${url.origin} is unreachable: ${e.message}`, { cause: e.message })));
    req.end(payload);
  });
  if (res.status === 307 && res.location && hops === 0) return requestJson(res.location, method, '', body, caPem, 1);
  if (res.status >= 300) {
    const e = (res.body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
    if (e?.code && e.message && isErrorCode(e.code)) throw relayedError(e.code, e.message, e.details ?? {});
    throw new GrappeError('unreachable', `${url.origin} answered HTTP ${res.status} to ${method} ${path}`, { cause: `HTTP ${res.status}` });
  }
  return res.body;
}
