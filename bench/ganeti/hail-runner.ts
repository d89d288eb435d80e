// Runs Ganeti's `hail` IAllocator (Debian package ganeti-htools) on a multi-allocate request built
// from our generated cluster, and reads back where it put each instance. I/O lives here only.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GuestRequest, SchedulerHost } from '../../src/core/scheduler/scheduler-types.ts';
import { toIallocatorRequest, toTextBackend } from './ganeti-export.ts';

const HAIL_PATHS = ['/usr/lib/ganeti/iallocators/hail', '/usr/lib/ganeti/3.0/usr/lib/ganeti/iallocators/hail'];

/** The hail binary, or why it cannot be run here. */
export function findHail(): { path: string } | { missing: string } {
  const path = HAIL_PATHS.find((p) => existsSync(p));
  return path
    ? { path }
    : {
        missing: `Ganeti's hail not found (looked in ${HAIL_PATHS.join(', ')}); install it with 'apt-get install -y ganeti-htools' (Debian 12: ganeti-htools 3.0.2)`,
      };
}

export interface HailRun {
  readonly ok: boolean;
  readonly seconds: number;
  readonly timedOut: boolean;
  readonly info: string;
  /** Host name per request, null when hail could not place it (or did not answer). */
  readonly placement: readonly (string | null)[];
}

export async function runHail(
  hail: string,
  hosts: readonly SchedulerHost[],
  requests: readonly GuestRequest[],
  vcpuRatio: number,
  timeoutSeconds: number,
  keepDir?: string,
): Promise<HailRun> {
  const dir = mkdtempSync(join(tmpdir(), 'grappe-hail-'));
  try {
    const file = join(dir, 'request.json');
    writeFileSync(file, JSON.stringify(toIallocatorRequest(hosts, requests, vcpuRatio)));
    if (keepDir) {
      writeFileSync(join(keepDir, 'cluster.data'), toTextBackend(hosts, vcpuRatio));
      writeFileSync(join(keepDir, 'hail-request.json'), JSON.stringify(toIallocatorRequest(hosts, requests, vcpuRatio)));
    }
    const started = performance.now();
    const { code, stdout, stderr, timedOut } = await run(hail, [file], timeoutSeconds * 1000);
    const seconds = (performance.now() - started) / 1000;
    if (timedOut) return { ok: false, seconds, timedOut, info: `hail did not answer within ${timeoutSeconds} s`, placement: requests.map(() => null) };
    let answer: { success?: boolean; info?: string; result?: [Array<[string, string[]]>, string[]] };
    try {
      answer = JSON.parse(stdout);
    } catch {
      return {
        ok: false,
        seconds,
        timedOut,
        info: `hail exited ${code} without a JSON answer: ${stderr.trim().slice(0, 300)}`,
        placement: requests.map(() => null),
      };
    }
    const where = new Map((answer.result?.[0] ?? []).map(([name, nodes]) => [name, nodes[0] ?? null]));
    return {
      ok: answer.success === true,
      seconds,
      timedOut,
      info: answer.info ?? '',
      placement: requests.map((r, k) => where.get(r.guest ?? `guest-${k + 1}`) ?? null),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
