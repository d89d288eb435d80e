// Builds the tiny guest images from Debian packages: the Debian kernel + a busybox initramfs for
// VMs, and a busybox rootfs tarball for LXC. The kernel package is cached in outDir, so a second
// build does no download.
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { errors, type GrappeError } from '../../../core/errors.ts';
import { runCommand } from '../../../process/run-command.ts';
import { cpioNewc } from './cpio-newc.ts';
import {
  CONTAINER_DIRS,
  CONTAINER_ETC_FILES,
  CONTAINER_INIT_SCRIPT,
  kernelPackageFromDepends,
  VM_INIT_SCRIPT,
  VM_MODULES,
  vmInitramfsEntries,
} from './tiny-image-content.ts';

export const BUSYBOX_PATH = '/bin/busybox';
const KERNEL_CACHE_DIR = 'kernel-cache';

export interface TinyImage {
  kernel: string;
  initrd: string;
  kernelPackage: string;
}

const failed = (what: string, why: string | undefined): GrappeError =>
  errors.imageBuildFailed(`tiny image build refused: ${what} failed: ${why ?? 'no reason given'}`);

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A static busybox, or a clear error naming the package that provides it. */
async function readBusybox(): Promise<Buffer> {
  const file = await readFile(BUSYBOX_PATH).catch(() => undefined);
  if (!file) throw failed(`reading ${BUSYBOX_PATH}`, 'not found (install the busybox-static package)');
  const ldd = await runCommand('ldd', [BUSYBOX_PATH]);
  if (ldd.ok && /=>/.test(ldd.stdout)) throw failed(`checking ${BUSYBOX_PATH}`, 'it is dynamically linked (install busybox-static)');
  return file;
}

// apt-cache takes over 10 s on a loaded machine with apt's binary cache turned off.
const APT_CACHE_MS = 120_000;

async function kernelPackageName(): Promise<string> {
  let deps = await runCommand('apt-cache', ['depends', 'linux-image-amd64'], APT_CACHE_MS);
  if (!kernelPackageFromDepends(deps.stdout)) {
    // Empty apt lists on a fresh machine: refresh them once.
    const update = await runCommand('apt-get', ['update'], 300_000);
    if (!update.ok) throw failed('apt-get update', update.error);
    deps = await runCommand('apt-cache', ['depends', 'linux-image-amd64'], APT_CACHE_MS);
  }
  const name = kernelPackageFromDepends(deps.stdout);
  if (!name) throw failed('finding the kernel package of linux-image-amd64', deps.error ?? 'apt-cache names none');
  return name;
}

/** The .deb of the kernel, from the cache or downloaded into it. */
async function kernelDeb(cacheDir: string, pkg: string): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  const cached = (await readdir(cacheDir)).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (cached) return join(cacheDir, cached);
  const dl = await mkdtemp(join(tmpdir(), 'grappe-kdl-'));
  try {
    // apt's sandbox user cannot write a root-owned temp dir: that warning is harmless.
    const r = await runCommand('sh', ['-c', `cd "${dl}" && apt-get download "${pkg}"`], 600_000);
    const deb = (await readdir(dl)).find((f) => f.endsWith('.deb'));
    if (!deb) throw failed(`apt-get download ${pkg}`, r.error);
    await copyFile(join(dl, deb), join(cacheDir, deb));
    return join(cacheDir, deb);
  } finally {
    await rm(dl, { recursive: true, force: true });
  }
}

/** Unpacks only the kernel and the few modules the initramfs carries, into the cache. */
async function extractKernel(deb: string, dest: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'grappe-kx-'));
  try {
    const patterns = ['./boot/vmlinuz-*', ...VM_MODULES.map((m) => `./lib/modules/*/kernel/${m}`)];
    const r = await runCommand('sh', ['-c', 'dpkg-deb --fsys-tarfile "$0" | tar -x -C "$1" --wildcards "$@"', deb, work, ...patterns], 120_000);
    const vmlinuz = (await readdir(join(work, 'boot')).catch(() => [] as string[])).find((f) => f.startsWith('vmlinuz-'));
    if (!vmlinuz) throw failed(`extracting the kernel from ${deb}`, r.error ?? 'no boot/vmlinuz-* in the package');
    await mkdir(dest, { recursive: true });
    const version = vmlinuz.slice('vmlinuz-'.length);
    for (const m of VM_MODULES) {
      // A kernel with virtio built in has no such module: the guest then needs none.
      await copyFile(join(work, 'lib/modules', version, 'kernel', m), join(dest, moduleFile(m))).catch(() => undefined);
    }
    // Last, as the mark of a complete cache entry.
    await copyFile(join(work, 'boot', vmlinuz), join(dest, 'vmlinuz'));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const moduleFile = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

async function cachedModules(dir: string): Promise<Array<{ path: string; data: Buffer }>> {
  const found = [];
  for (const path of VM_MODULES) {
    const data = await readFile(join(dir, moduleFile(path))).catch(() => undefined);
    if (data) found.push({ path, data });
  }
  return found;
}

/** outDir/vmlinuz (Debian's kernel) and outDir/initrd.gz (busybox, virtio modules, ticking init). */
export async function buildTinyImage(outDir: string): Promise<TinyImage> {
  await mkdir(outDir, { recursive: true });
  const kernelPackage = await kernelPackageName();
  const kernel = join(outDir, 'vmlinuz');
  const initrd = join(outDir, 'initrd.gz');
  // The unpacked files are cached too: unpacking the whole package takes seconds.
  const cacheDir = join(outDir, KERNEL_CACHE_DIR);
  const unpacked = join(cacheDir, kernelPackage);
  if (!(await exists(join(unpacked, 'vmlinuz')))) await extractKernel(await kernelDeb(cacheDir, kernelPackage), unpacked);
  await copyFile(join(unpacked, 'vmlinuz'), kernel);
  await writeFile(initrd, gzipSync(cpioNewc(vmInitramfsEntries(await readBusybox(), await cachedModules(unpacked)))));
  await writeFile(join(outDir, STAMP_FILE), imageStamp());
  return { kernel, initrd, kernelPackage };
}

// Identifies what this code puts in the image, so an image built by older code is rebuilt.
const STAMP_FILE = 'tiny-image.stamp';
const imageStamp = (): string => createHash('sha256').update(VM_INIT_SCRIPT).update(VM_MODULES.join(',')).digest('hex');

/** The image if outDir already holds one built by this code, else a fresh build. */
export async function ensureTinyImage(outDir: string): Promise<TinyImage> {
  const kernel = join(outDir, 'vmlinuz');
  const initrd = join(outDir, 'initrd.gz');
  const stamp = await readFile(join(outDir, STAMP_FILE), 'utf8').catch(() => '');
  if (stamp === imageStamp() && (await exists(kernel)) && (await exists(initrd))) return { kernel, initrd, kernelPackage: 'cached' };
  return buildTinyImage(outDir);
}

/** outDir/tiny-rootfs.tar.gz: busybox, a ticking /sbin/init, minimal /etc, for `lxc` from an archive. */
export async function buildTinyContainerTemplate(outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const busybox = await readBusybox();
  const root = await mkdtemp(join(tmpdir(), 'grappe-rootfs-'));
  const archive = join(outDir, 'tiny-rootfs.tar.gz');
  try {
    for (const d of CONTAINER_DIRS) await mkdir(join(root, d), { recursive: true });
    await writeFile(join(root, 'bin/busybox'), busybox, { mode: 0o755 });
    await symlink('busybox', join(root, 'bin/sh'));
    await writeFile(join(root, 'sbin/init'), CONTAINER_INIT_SCRIPT);
    await chmod(join(root, 'sbin/init'), 0o755);
    for (const [path, text] of Object.entries(CONTAINER_ETC_FILES)) await writeFile(join(root, path), text);
    const r = await runCommand('tar', ['--numeric-owner', '-czf', archive, '-C', root, '.'], 60_000);
    if (!r.ok) throw failed('packing the container rootfs', r.error);
    return archive;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
