// One qemu-nbd process serving the heartbeat LUN on a unix socket in the HA run directory. Started
// on demand, restarted by the caller when it dies or stops answering; a qemu-nbd left behind by a
// previous agent is found through its pidfile and killed first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { IscsiChap } from '../../contract/guest-agent.contract.ts';
import { writeFileAtomic } from '../atomic-file.ts';
import type { IscsiTarget } from '../drivers/iscsi-client.ts';
import { isOurProcess, readPidfile, sleep, waitForExit } from '../drivers/process-probe.ts';
import { isOurQemuNbd, QEMU_NBD_BINARY, qemuNbdArgs } from './qemu-nbd-args.ts';

const READY_POLL_MS = 50;

export class QemuNbdExport {
  private child: ChildProcess | undefined;
  private stderr = '';

  constructor(
    private readonly socketPath: string,
    private readonly pidFile: string,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts qemu-nbd and resolves once its socket exists (it listens before it opens the LUN); rejects with qemu-nbd's own words. */
  async start(source: { target: IscsiTarget; initiatorName: string; chap?: IscsiChap | undefined }, timeoutMs: number): Promise<void> {
    await this.stop();
    await this.killLeftover();
    const dir = dirname(this.socketPath);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await rm(this.socketPath, { force: true });
    // The CHAP secret reaches qemu-nbd through a 0600 file, never its command line (ps shows that).
    const secretFile = join(dir, 'hb.chap');
    if (source.chap) await writeFileAtomic(secretFile, source.chap.secret, 0o600);
    else await rm(secretFile, { force: true });
    this.stderr = '';
    const args = qemuNbdArgs({
      target: source.target,
      socketPath: this.socketPath,
      pidFile: this.pidFile,
      initiatorName: source.initiatorName,
      chap: source.chap ? { user: source.chap.user, secretFile } : undefined,
    });
    const child = spawn(QEMU_NBD_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr?.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString()).slice(-2000)));
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (
        await stat(this.socketPath).then(
          () => true,
          () => false,
        )
      )
        return;
      const failed = await Promise.race([spawnError, sleep(READY_POLL_MS).then(() => undefined)]);
      if (failed) throw new Error(`${QEMU_NBD_BINARY} did not start: ${failed.message}`);
      if (!this.running) throw new Error(`${QEMU_NBD_BINARY} exited: ${this.reason()}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`${QEMU_NBD_BINARY} did not open the LUN within ${timeoutMs} ms${this.stderr ? `: ${this.reason()}` : ''}`);
      }
    }
  }

  /** True when the process is gone or goes within timeoutMs. */
  async exitedWithin(timeoutMs: number): Promise<boolean> {
    const child = this.child;
    if (!child || !this.running) return true;
    const exited = new Promise<boolean>((r) => child.once('exit', () => r(true)));
    return Promise.race([exited, sleep(timeoutMs).then(() => !this.running)]);
  }

  reason(): string {
    return (
      this.stderr
        .split('\n')
        .map((l) => l.replace(/^qemu-nbd: /, '').trim())
        .filter(Boolean)
        .join('; ') || 'no message'
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2_000)]);
  }

  private async killLeftover(): Promise<void> {
    const pid = await readPidfile(this.pidFile);
    const mine = (argv: string[]): boolean => isOurQemuNbd(argv, this.socketPath);
    if (pid === undefined || !(await isOurProcess(pid, mine))) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    await waitForExit(pid, mine, 2_000);
  }
}
