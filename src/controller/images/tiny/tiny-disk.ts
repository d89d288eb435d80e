// Builds the tiny image as a raw disk that boots on its own under SeaBIOS (no -kernel/-initrd),
// e.g. as an iSCSI volume: a FAT filesystem holding the kernel, the initrd and syslinux.cfg, with
// SYSLINUX in its boot sector. Everything is done on the plain file; nothing is mounted.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { errors, type GrappeError } from '../../../core/errors.ts';
import { runCommand } from '../../../process/run-command.ts';
import {
  DISK_CONFIG_NAME,
  DISK_INITRD_NAME,
  DISK_KERNEL_NAME,
  DISK_TOOLS,
  DISK_VOLUME_LABEL,
  missingToolsMessage,
  parseStampFile,
  syslinuxConfig,
  TINY_DISK_FILE,
  TINY_DISK_STAMP_FILE,
  tinyDiskSizeBytes,
  tinyDiskStamp,
  type TinyDiskStampFile,
} from './tiny-disk-layout.ts';
import { ensureTinyImage, type TinyImage } from './tiny-image.ts';

export interface TinyDisk {
  path: string;
  sizeBytes: number;
  sha256: string;
}

const failed = (what: string, why: string | undefined): GrappeError =>
  errors.imageBuildFailed(`tiny disk build refused: ${what} failed: ${why ?? 'no reason given'}`);

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

const hasCommand = async (tool: string): Promise<boolean> => (await runCommand('sh', ['-c', 'command -v "$0"', tool])).ok;

/** Every build tool present, or one error naming all the missing ones and their packages. */
export async function checkDiskTools(): Promise<void> {
  const missing = [];
  for (const t of DISK_TOOLS) if (!(await hasCommand(t.tool))) missing.push(t);
  if (missing.length > 0) throw errors.imageBuildFailed(missingToolsMessage(missing));
}

async function run(what: string, cmd: string, args: string[]): Promise<void> {
  const r = await runCommand(cmd, args, 120_000);
  if (!r.ok) throw failed(what, r.error);
}

/** Makes the disk at `disk` (a fresh path) from the image, with `config` as syslinux.cfg. */
async function makeDisk(disk: string, image: TinyImage, config: string, sizeBytes: number, workDir: string): Promise<void> {
  await writeFile(disk, '');
  await truncate(disk, sizeBytes);
  await run('mkfs.fat', 'mkfs.fat', ['-n', DISK_VOLUME_LABEL, disk]);
  const cfg = join(workDir, DISK_CONFIG_NAME);
  await writeFile(cfg, config);
  const files: Array<[string, string]> = [
    [image.kernel, DISK_KERNEL_NAME],
    [image.initrd, DISK_INITRD_NAME],
    [cfg, DISK_CONFIG_NAME],
  ];
  for (const [src, name] of files) await run(`copying ${name} into the disk (mcopy)`, 'mcopy', ['-i', disk, src, `::/${name}`]);
  // Writes SYSLINUX's boot sector and ldlinux.sys/ldlinux.c32 through mtools.
  await run('installing the bootloader (syslinux --install)', 'syslinux', ['--install', disk]);
}

/**
 * outDir/tiny-disk.raw, bootable by SeaBIOS, made from the tiny image (built into outDir when not
 * given). Rebuilt only when the kernel, the initrd or the layout changed, or the disk was altered.
 */
export async function buildTinyDisk(outDir: string, image?: TinyImage): Promise<TinyDisk> {
  await checkDiskTools();
  await mkdir(outDir, { recursive: true });
  const img = image ?? (await ensureTinyImage(outDir));
  const [kernel, initrd] = await Promise.all([stat(img.kernel), stat(img.initrd)]).catch((e: unknown) => {
    throw failed('reading the tiny image', (e as Error).message);
  });
  const config = syslinuxConfig();
  const sizeBytes = tinyDiskSizeBytes(kernel.size + initrd.size + Buffer.byteLength(config));
  const inputs = tinyDiskStamp({ kernelSha256: await sha256File(img.kernel), initrdSha256: await sha256File(img.initrd), config, sizeBytes });

  const path = join(outDir, TINY_DISK_FILE);
  const stampPath = join(outDir, TINY_DISK_STAMP_FILE);
  const recorded = parseStampFile(await readFile(stampPath, 'utf8').catch(() => ''));
  if (recorded?.inputs === inputs && (await stat(path).catch(() => undefined))?.size === sizeBytes) {
    // A VM booted straight from the file may have written to it: then it is rebuilt.
    const sha256 = await sha256File(path);
    if (sha256 === recorded.sha256) return { path, sizeBytes, sha256 };
  }

  // Built aside and renamed into place, so a failed build never leaves a half-made disk behind.
  const work = await mkdtemp(join(outDir, '.tiny-disk-'));
  try {
    const partial = join(work, TINY_DISK_FILE);
    await makeDisk(partial, img, config, sizeBytes, work);
    const sha256 = await sha256File(partial);
    await rm(stampPath, { force: true });
    await rename(partial, path);
    await writeFile(stampPath, JSON.stringify({ inputs, sha256 } satisfies TinyDiskStampFile));
    return { path, sizeBytes, sha256 };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
