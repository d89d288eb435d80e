// A stopped container's root file system as a tar stream: read out of one host and written into the
// same container defined on another, by the controller moving it. The container's lock is held
// while the bytes flow, so nothing starts it half-copied.
import { spawn } from 'node:child_process';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MOVE_AGENT_PATHS, ROOTFS_CONTENT_TYPE, type RootfsReceived } from '../../contract/move-agent.contract.ts';
import { formatGuestId, type GuestId } from '../../contract/shared-rules.ts';
import { hashingTap } from '../../streams/hashing-tap.ts';
import { AgentError } from '../agent-error.ts';
import type { AgentRuntime, Route } from '../agent-routes.ts';
import { runCommand } from '../../process/run-command.ts';
import { guestIdOf } from './guest-specs.ts';
import type { KeyedLock } from './keyed-lock.ts';

const STDERR_LIMIT = 4096;

/**
 * Takes `key`'s lock, runs `check` under it, and keeps the lock until the returned release is
 * called (when a stream ends), so a long copy holds off other actions on the same guest.
 */
export function leaseLock(locks: KeyedLock, key: string, check: () => Promise<void>): Promise<() => void> {
  return new Promise((resolve, reject) => {
    void locks.run(key, async () => {
      try {
        await check();
      } catch (e) {
        reject(e);
        return;
      }
      await new Promise<void>((released) => resolve(() => released()));
    });
  });
}

/** The stream of what `tar` writes; it breaks (instead of ending) when tar fails, and kills tar when dropped. */
function tarOut(args: string[]): Readable {
  const child = spawn('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-STDERR_LIMIT)));
  child.stdout.pipe(out, { end: false });
  child.once('error', (e) => out.destroy(e));
  child.once('close', (code) => (code === 0 ? out.end() : out.destroy(new Error(`tar exited with ${code}: ${stderr.trim()}`))));
  out.once('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return out;
}

/** Unpacks a tar stream into `dir`, hashing what passes; refused when the stream is not a whole tar. */
async function tarIn(body: Readable, dir: string, what: string): Promise<{ bytes: number; sha256: string }> {
  const child = spawn('tar', ['--numeric-owner', '-xpf', '-', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-STDERR_LIMIT)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const tap = hashingTap();
  const copied = pipeline(body, tap.stream, child.stdin).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  const [copyError, code] = await Promise.all([copied, exited]);
  const brokeOff = (e: Error): AgentError => new AgentError('transferFailed', `${what} failed: the stream broke off (${e.message})`);
  // EPIPE: tar stopped reading first, so tar's own words say what was wrong.
  if (copyError && (copyError as NodeJS.ErrnoException).code !== 'EPIPE') throw brokeOff(copyError);
  if (code !== 0)
    throw new AgentError('invalidInput', `${what} refused: the stream is not a complete tar archive (tar says: ${stderr.trim() || `exit ${code}`})`);
  if (copyError) throw brokeOff(copyError);
  return tap.result();
}

function containerIdOf(params: Record<string, string>, what: string): GuestId {
  const gid = guestIdOf(params['id'] ?? '');
  if (gid.kind !== 'ct')
    throw new AgentError('invalidInput', `${what} refused: '${formatGuestId(gid)}' is not a container; only containers have a root file system to copy`);
  return gid;
}

/** The container must exist here and be stopped: a running one's files change under the copy. */
async function checkStopped(rt: AgentRuntime, id: string, what: string): Promise<void> {
  const s = await rt.guests.lxc.status(id);
  if (s.state !== 'stopped') throw new AgentError('guestRunning', `${what} refused: container '${id}' is ${s.lxcState ?? s.state}; stop it first`);
}

const removeTree = (dir: string): ReturnType<typeof runCommand> => runCommand('rm', ['-rf', '--one-file-system', dir], 120_000);

/** Puts `incoming` in place of `rootfs`; the old tree goes only once the new one is in place. */
async function swapRootfs(rootfs: string, incoming: string): Promise<void> {
  const old = `${rootfs}.old`;
  await removeTree(old);
  await rename(rootfs, old).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
  try {
    await rename(incoming, rootfs);
  } catch (e) {
    await rename(old, rootfs).catch(() => undefined);
    throw e;
  }
  await removeTree(old);
}

export const CT_ARCHIVE_ROUTES: Route[] = [
  {
    method: 'GET',
    path: MOVE_AGENT_PATHS.containerRootfs,
    access: 'controller',
    exclusive: false,
    handle: async ({ params }, rt) => {
      const gid = containerIdOf(params, 'rootfs download');
      const id = formatGuestId(gid);
      const release = await leaseLock(rt.guests.locks, id, () => checkStopped(rt, id, 'rootfs download'));
      try {
        const body = tarOut(['--numeric-owner', '--sparse', '-C', rt.guests.lxc.rootfsDir(id), '-cf', '-', '.']);
        body.once('close', release);
        rt.log.info('container rootfs download', { guest: id });
        return { status: 200, body: null, stream: { body, headers: { 'content-type': ROOTFS_CONTENT_TYPE } } };
      } catch (e) {
        release();
        throw e;
      }
    },
  },
  {
    // Not exclusive: a big copy must not hold up every other call; the container's lock guards it.
    method: 'PUT',
    path: MOVE_AGENT_PATHS.containerRootfs,
    access: 'controller',
    exclusive: false,
    streamBody: true,
    handle: async ({ params, stream }, rt) => {
      const gid = containerIdOf(params, 'rootfs upload');
      const id = formatGuestId(gid);
      const what = `rootfs upload of '${id}'`;
      return rt.guests.locks.run(id, async () => {
        await checkStopped(rt, id, 'rootfs upload');
        const rootfs = rt.guests.lxc.rootfsDir(id);
        const incoming = join(dirname(rootfs), 'rootfs.incoming');
        await removeTree(incoming);
        await mkdir(incoming, { mode: 0o755 });
        try {
          const got = await tarIn(stream, incoming, what);
          await swapRootfs(rootfs, incoming);
          rt.log.info('container rootfs replaced', { guest: id, bytes: got.bytes, sha256: got.sha256 });
          const answer: RootfsReceived = { id, ...got };
          return { status: 200, body: answer };
        } finally {
          await removeTree(incoming);
        }
      });
    },
  },
];
