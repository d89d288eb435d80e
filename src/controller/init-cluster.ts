// `grappe init`: creates a cluster in an empty data directory — CA and certificates, cluster.json,
// the store with the admin user and the default logical subnets. All or nothing: on any failure,
// what this call created is removed, so it can simply be run again.
import { checkLogicalSubnets } from '../core/net/logical-subnets.ts';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { GrappeError, errors } from '../core/errors.ts';
import { SUBNET_NAMES, type Subnet, type SubnetName } from '../contract/subnet.contract.ts';
import { CONTROLLER_CERT_CN, createCa, issueCert } from '../pki/pki.ts';
import { openSqliteStore } from '../store/sqlite-store.ts';
import { put, type Store } from '../store/store.ts';
import { generatePassword } from './auth/password-hash.ts';
import { createUser } from './auth/users.ts';
import { dataDirLayout, existingClusterFiles, type ClusterFile, type DataDirLayout } from './data-dir.ts';
import { subnetKey, subnetValue } from './subnets/subnet-store.ts';

export interface InitClusterOptions {
  dataDir: string;
  clusterName?: string;
  adminPassword?: string;
  subnets?: Partial<Record<SubnetName, string>>;
  /** Extra IP addresses and DNS names the API certificate must be valid for. */
  apiNames?: string[];
}

export interface InitClusterResult {
  clusterId: string;
  adminPassword: string;
  generatedPassword: boolean;
  caCertPem: string;
}

export const ADMIN_USER = 'admin';
export const DEFAULT_CLUSTER_NAME = 'grappe';

export const DEFAULT_SUBNETS: Record<SubnetName, { cidr: string; description: string }> = {
  LAN: { cidr: '198.18.0.0/24', description: 'management and guest services' },
  SAN: { cidr: '198.18.1.0/24', description: 'storage traffic between storage and processing hosts' },
  RAN: { cidr: '198.18.2.0/24', description: 'replication between the two storage hosts' },
};

const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The logical subnets to create, checked: valid network CIDRs that do not overlap. Pure. */
export function planSubnets(overrides: Partial<Record<SubnetName, string>> = {}): Subnet[] {
  const subnets = SUBNET_NAMES.map((name): Subnet => ({
    name,
    cidr: overrides[name] ?? DEFAULT_SUBNETS[name].cidr,
    description: DEFAULT_SUBNETS[name].description,
  }));
  checkLogicalSubnets(subnets);
  return subnets;
}

/** Splits the API certificate's names into IP addresses and DNS names. Pure. */
export function apiCertNames(machineHostname: string, extra: readonly string[] = []): { ipAddresses: string[]; dnsNames: string[] } {
  const ipAddresses = new Set(['127.0.0.1']);
  const dnsNames = new Set(['localhost']);
  if (DNS_NAME.test(machineHostname)) dnsNames.add(machineHostname);
  for (const given of extra) {
    const name = given.replace(/^\[(.*)\]$/, '$1'); // a URL's IPv6 host comes bracketed
    if (isIP(name)) ipAddresses.add(name);
    else if (DNS_NAME.test(name)) dnsNames.add(name);
    else throw errors.invalidInput(`API name '${name}' is neither an IP address nor a DNS name`);
  }
  return { ipAddresses: [...ipAddresses], dnsNames: [...dnsNames] };
}

function checkOptions(opts: InitClusterOptions): void {
  const name = opts.clusterName ?? DEFAULT_CLUSTER_NAME;
  if (!CLUSTER_NAME.test(name)) {
    throw errors.invalidInput(`cluster name '${name}' is not valid: use letters, digits and dashes (at most 63), not starting or ending with a dash`);
  }
  if (opts.adminPassword !== undefined && opts.adminPassword.length < 8) {
    throw errors.invalidInput('the admin password must have at least 8 characters');
  }
}

/** What initCluster writes the store with; tests swap it to make a late step fail. */
export interface InitClusterDeps {
  openStore: (path: string) => Store;
}

export async function initCluster(opts: InitClusterOptions, deps: InitClusterDeps = { openStore: openSqliteStore }): Promise<InitClusterResult> {
  checkOptions(opts);
  const subnets = planSubnets(opts.subnets);
  const names = apiCertNames(hostname(), opts.apiNames);
  const layout = dataDirLayout(opts.dataDir);
  const existing = existingClusterFiles(layout);
  if (existing.length > 0) {
    throw new GrappeError(
      'alreadyInitialised',
      `data dir '${layout.root}' is already initialised (found ${existing.join(', ')}); use another --data-dir, or remove it to start over`,
      { dataDir: layout.root },
    );
  }
  const createdDir = !existsSync(layout.root);
  const created: string[] = [];
  let store: Store | undefined;
  try {
    mkdirSync(layout.root, { recursive: true, mode: 0o700 });
    chmodSync(layout.root, 0o700);
    mkdirSync(layout.pkiDir, { mode: 0o700 });
    created.push(layout.pkiDir);

    const clusterId = randomUUID();
    const clusterName = opts.clusterName ?? DEFAULT_CLUSTER_NAME;
    const ca = await createCa(`Grappe cluster CA ${clusterName} ${clusterId.slice(0, 8)}`);
    const controller = await issueCert(ca, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
    const api = await issueCert(ca, { commonName: hostname() || 'localhost', usage: 'server', ...names });
    writeKeyPair(layout.caCert, layout.caKey, ca);
    writeKeyPair(layout.controllerCert, layout.controllerKey, controller);
    writeKeyPair(layout.apiCert, layout.apiKey, api);

    const adminPassword = opts.adminPassword ?? generatePassword(24);
    const createdAt = new Date().toISOString();
    created.push(layout.database, `${layout.database}-wal`, `${layout.database}-shm`);
    store = deps.openStore(layout.database);
    chmodSync(layout.database, 0o600);
    await createUser(store, { username: ADMIN_USER, password: adminPassword, role: 'admin', createdAt });
    for (const subnet of subnets) await put(store, subnetKey(subnet.name), subnetValue(subnet));
    await store.close();
    store = undefined;

    // Last: its presence is what marks the directory as a complete cluster.
    const cluster: ClusterFile = { id: clusterId, name: clusterName, createdAt };
    writeFileSync(layout.clusterFile, `${JSON.stringify(cluster, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    created.push(layout.clusterFile);
    return { clusterId, adminPassword, generatedPassword: opts.adminPassword === undefined, caCertPem: ca.certPem };
  } catch (err) {
    await store?.close().catch(() => undefined);
    undo(layout, created, createdDir);
    throw err;
  }
}

function writeKeyPair(certPath: string, keyPath: string, pair: { certPem: string; keyPem: string }): void {
  writeFileSync(keyPath, pair.keyPem, { flag: 'wx', mode: 0o600 });
  writeFileSync(certPath, pair.certPem, { flag: 'wx', mode: 0o644 });
}

function undo(layout: DataDirLayout, created: readonly string[], createdDir: boolean): void {
  if (createdDir) {
    rmSync(layout.root, { recursive: true, force: true });
    return;
  }
  // A directory we did not create is left as found: only our files go.
  for (const path of [...created].reverse()) rmSync(path, { recursive: true, force: true });
}
