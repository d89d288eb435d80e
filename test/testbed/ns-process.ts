// Processes inside host namespaces: start detached, list, signal, wait. A namespace's processes are
// what `ip netns pids` reports, so a "host crash" kills exactly the host's processes, nothing else.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { runSync, sleepSync } from './run-command.ts';

export function namespacePids(namespace: string): number[] {
  const r = runSync(['ip', 'netns', 'pids', namespace]);
  if (r.code !== 0) return [];
  return r.stdout
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/** State letter from /proc (R, S, T, Z, …), or null when the process is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null;
  } catch {
    return null;
  }
}

export const isAlive = (pid: number): boolean => {
  const s = processState(pid);
  return s !== null && s !== 'Z' && s !== 'X';
};

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

export function signalPids(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGKILLs everything in the namespace until it is empty (processes may fork while we kill). */
export function killNamespaceSync(namespace: string, timeoutMs = 5_000): void {
  for (let waited = 0; waited < timeoutMs; waited += 20) {
    const pids = namespacePids(namespace).filter(isAlive);
    if (pids.length === 0) return;
    signalPids(pids, 'SIGKILL');
    sleepSync(20);
  }
}

const isStopped = (pid: number): boolean => ['T', 't'].includes(processState(pid) ?? 'T');

/**
 * SIGSTOP or SIGCONT every process, and resolve once they all are stopped (or running again): signal
 * delivery is asynchronous, and "frozen" must mean frozen when the promise resolves.
 */
export async function setStopped(pids: readonly number[], stopped: boolean, timeoutMs = 3_000): Promise<boolean> {
  signalPids(pids, stopped ? 'SIGSTOP' : 'SIGCONT');
  const deadline = Date.now() + timeoutMs;
  const done = () => pids.every((pid) => !isAlive(pid) || isStopped(pid) === stopped);
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return done();
}

export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pids.some(isAlive)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !pids.some(isAlive);
}

export interface DetachedStart {
  namespace: string;
  command: string;
  args: readonly string[];
  cwd: string;
  logFile: string;
  pidFile: string;
}

/**
 * Starts a command inside the namespace in its own session (own process group), output appended to
 * a log file, so it outlives the process that started it. `ip netns exec` execs in place: the pid we
 * get is the command's.
 */
export function startDetached(s: DetachedStart): number {
  const fd = openSync(s.logFile, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', s.namespace, s.command, ...s.args], {
      cwd: s.cwd,
      detached: true,
      stdio: ['ignore', fd, fd],
      env: process.env,
    });
    child.on('error', () => {}); // a failed spawn shows up as a dead pid and the log tail
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${s.command} in ${s.namespace}`);
    writeFileSync(s.pidFile, `${pid}\n`);
    return pid;
  } finally {
    closeSync(fd);
  }
}

export function readPidFile(pidFile: string): number | null {
  if (!existsSync(pidFile)) return null;
  const n = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** Resolves true when a TCP connection to host:port opens within timeoutMs. */
export function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function tailOf(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
