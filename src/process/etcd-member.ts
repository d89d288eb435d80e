// Starts one etcd member (Debian's etcd-server) as a child process that outlives a crash of its
// parent: when a controller is killed, its member stays in the etcd cluster, and the controller's
// next start adopts it (same client URL answering) instead of starting a second one. A clean stop of
// the controller stops the member too.
//
// Timings: heartbeat 100 ms and election timeout 1 s (etcd's defaults, fit for one LAN), so a lost
// raft leader is replaced in about a second.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { etcdHttpGet, type EtcdTlsFiles } from './etcd-tls.ts';

export interface EtcdMemberSpec {
  readonly name: string;
  /** Where the member keeps its raft log and database (created 0700). */
  readonly dataDir: string;
  /** e.g. http://198.18.0.10:7379 */
  readonly clientUrl: string;
  /** e.g. http://198.18.0.10:7380 */
  readonly peerUrl: string;
  /** name=peerUrl of every member, this one included. */
  readonly initialCluster: readonly string[];
  /** 'new' for the first members, 'existing' for a member added to a running cluster. */
  readonly state: 'new' | 'existing';
  readonly clusterToken: string;
  /** The etcd binary; default /usr/bin/etcd. */
  readonly binary?: string;
  /** Mutual TLS on the client and peer ports (https URLs); none: plain http (tests of the store only). */
  readonly tls?: EtcdTlsFiles;
}

export interface RunningEtcdMember {
  readonly pid: number;
  /** Whether this call started it (false: it was already running and answering). */
  readonly started: boolean;
  stop(): Promise<void>;
}

const pidFile = (spec: EtcdMemberSpec): string => join(spec.dataDir, 'etcd.pid');

export function etcdArgs(spec: EtcdMemberSpec): string[] {
  return [
    '--name',
    spec.name,
    '--data-dir',
    join(spec.dataDir, 'member-data'),
    '--listen-client-urls',
    spec.clientUrl,
    '--advertise-client-urls',
    spec.clientUrl,
    '--listen-peer-urls',
    spec.peerUrl,
    '--initial-advertise-peer-urls',
    spec.peerUrl,
    '--initial-cluster',
    spec.initialCluster.join(','),
    '--initial-cluster-state',
    spec.state,
    '--initial-cluster-token',
    spec.clusterToken,
    '--heartbeat-interval',
    '100',
    '--election-timeout',
    '1000',
    // A member that comes back (restarted, healed partition) first asks whether it could win before
    // it disrupts the current raft leader with a new term.
    '--pre-vote',
    // The controller compacts nothing itself: keep a day of history, bounded.
    '--auto-compaction-mode',
    'periodic',
    '--auto-compaction-retention',
    '24h',
    ...(spec.tls ? tlsArgs(spec.tls) : []),
  ];
}

/** Clients and peers need a certificate of the cluster CA; the member shows its own. */
const tlsArgs = (tls: EtcdTlsFiles): string[] => [
  '--cert-file',
  tls.certFile,
  '--key-file',
  tls.keyFile,
  '--trusted-ca-file',
  tls.caFile,
  '--client-cert-auth',
  '--peer-cert-file',
  tls.certFile,
  '--peer-key-file',
  tls.keyFile,
  '--peer-trusted-ca-file',
  tls.caFile,
  '--peer-client-cert-auth',
];

/** Whether the member's process answers at all (a member without quorum is up but not healthy). */
async function etcdAnswers(clientUrl: string, tls?: EtcdTlsFiles): Promise<boolean> {
  try {
    await etcdHttpGet(clientUrl, '/version', 1000, tls);
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the member unless its recorded process still runs and answers; resolves once it answers on
 * its client URL (not once it is healthy: a lone member of three waits for the others to be healthy).
 */
export async function startEtcdMember(spec: EtcdMemberSpec, timeoutMs = 15_000): Promise<RunningEtcdMember> {
  mkdirSync(spec.dataDir, { recursive: true, mode: 0o700 });
  const recorded = existsSync(pidFile(spec)) ? Number(readFileSync(pidFile(spec), 'utf8')) : 0;
  if (recorded > 0 && alive(recorded) && (await etcdAnswers(spec.clientUrl, spec.tls))) {
    return { pid: recorded, started: false, stop: () => stopPid(recorded) };
  }
  const log = openSync(join(spec.dataDir, 'etcd.log'), 'a', 0o600);
  const child = spawn(spec.binary ?? '/usr/bin/etcd', etcdArgs(spec), { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start etcd (${spec.binary ?? '/usr/bin/etcd'}): is etcd-server installed?`);
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));
  child.unref();
  writeFileSync(pidFile(spec), String(pid), { mode: 0o600 });
  const deadline = Date.now() + timeoutMs;
  while (!(await etcdAnswers(spec.clientUrl, spec.tls))) {
    if (exited !== undefined) throw new Error(`etcd member ${spec.name} ${exited}; see ${join(spec.dataDir, 'etcd.log')}`);
    if (Date.now() > deadline) throw new Error(`etcd member ${spec.name} did not answer on ${spec.clientUrl} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { pid, started: true, stop: () => stopPid(pid) };
}

async function stopPid(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}
