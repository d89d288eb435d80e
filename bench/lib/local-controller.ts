// A single controller on its embedded SQLite store, started as users start it (`grappe controller
// start`, its own process) on a loopback port chosen by the system.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';

export function startLocalController(dataDir: string): Promise<{ url: string; pid: number; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      // GRAPPE_BENCH_CPU_PROF=DIR: the controller writes a CPU profile there when it stops.
      ...(process.env.GRAPPE_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.GRAPPE_BENCH_CPU_PROF] : []),
      '--import',
      'tsx',
      'src/cli/main.ts',
      'controller',
      'start',
      '--data-dir',
      dataDir,
      '--listen',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      'warn',
    ],
    {
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  // Its log, beside the data dir: what it said is still there when a run fails.
  const logFile = createWriteStream(join(dirname(dataDir), 'controller.log'));
  child.stdout.pipe(logFile);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      if (out.length < 65_536) out += c.toString();
      const m = out.match(/listening on (https:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve({ url: m[1]!, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`controller exited with ${code}: ${out}`)));
  });
}
