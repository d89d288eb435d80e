// The controller's data directory, written once by `grappe init`:
//   cluster.json                 { id, name, createdAt }
//   grappe.db                    the SQLite store
//   pki/ca.crt, ca.key           the cluster CA (issues agent and controller certificates)
//   pki/controller.crt, .key     the controller's client certificate for mutual TLS to agents
//   pki/api.crt, api.key         the REST API's server certificate
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { GrappeError } from '../core/errors.ts';
import type { ClusterIdentity } from './platform/types.ts';

export interface DataDirLayout {
  readonly root: string;
  readonly pkiDir: string;
  readonly clusterFile: string;
  readonly database: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly controllerCert: string;
  readonly controllerKey: string;
  readonly apiCert: string;
  readonly apiKey: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const root = resolve(dataDir);
  const pki = join(root, 'pki');
  return {
    root,
    pkiDir: pki,
    clusterFile: join(root, 'cluster.json'),
    database: join(root, 'grappe.db'),
    caCert: join(pki, 'ca.crt'),
    caKey: join(pki, 'ca.key'),
    controllerCert: join(pki, 'controller.crt'),
    controllerKey: join(pki, 'controller.key'),
    apiCert: join(pki, 'api.crt'),
    apiKey: join(pki, 'api.key'),
  };
}

export const clusterFile = z.object({ id: z.string().min(1), name: z.string().min(1), createdAt: z.string() });
export type ClusterFile = z.infer<typeof clusterFile>;

/** The files of `layout` that exist: any of them means the directory holds (part of) a cluster. */
export const existingClusterFiles = (layout: DataDirLayout): string[] =>
  [layout.clusterFile, layout.database, `${layout.database}-wal`, `${layout.database}-shm`, layout.pkiDir].filter((p) => existsSync(p));

const notInitialised = (root: string, missing: string): GrappeError =>
  new GrappeError('notInitialised', `no cluster in data dir '${root}' (${missing} is missing): run \`grappe init\` first`, { dataDir: root });

function readRequired(root: string, path: string): string {
  if (!existsSync(path)) throw notInitialised(root, path);
  return readFileSync(path, 'utf8');
}

export function readClusterFile(layout: DataDirLayout): ClusterFile {
  const text = readRequired(layout.root, layout.clusterFile);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = clusterFile.safeParse(parsed);
  if (!result.success) {
    throw new GrappeError('badDataDir', `'${layout.clusterFile}' is damaged: it is not the JSON {id, name, createdAt} that \`grappe init\` writes`);
  }
  return result.data;
}

export function loadClusterIdentity(dataDir: string): ClusterIdentity {
  const layout = dataDirLayout(dataDir);
  const cluster = readClusterFile(layout);
  return {
    id: cluster.id,
    name: cluster.name,
    caCertPem: readRequired(layout.root, layout.caCert),
    caKeyPem: readRequired(layout.root, layout.caKey),
    controllerCertPem: readRequired(layout.root, layout.controllerCert),
    controllerKeyPem: readRequired(layout.root, layout.controllerKey),
  };
}
