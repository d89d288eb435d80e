// `grappe image build tiny`: the tiny bootable disk (Debian's kernel + busybox initramfs behind
// SYSLINUX, ticking on its serial console) and the busybox container template, built on the controller
// machine into <data dir>/images/ and recorded as 'tiny' (vm-disk, raw) and 'tiny-ct' (ct-template).
import { stat } from 'node:fs/promises';
import { buildTinyDisk } from './tiny/tiny-disk.ts';
import { buildTinyContainerTemplate } from './tiny/tiny-image.ts';
import type { ImageRecord } from '../../contract/storage.contract.ts';
import { GrappeError, isGrappeError, errors } from '../../core/errors.ts';
import { isoAt } from '../platform/clock.ts';
import type { ControllerContext, TaskContext } from '../platform/types.ts';
import { sha256OfFile } from '../../streams/hashing-tap.ts';
import { imageKey, imagesDir, imageValue } from './image-store.ts';

export const TINY_IMAGE = 'tiny';
export const TINY_TEMPLATE = 'tiny-ct';

const asGrappeError = (e: unknown): GrappeError => {
  if (isGrappeError(e)) return e;
  return errors.internal(`the tiny image build failed: ${String(e)}`);
};

export async function runTinyBuild(ctx: ControllerContext, task: TaskContext): Promise<ImageRecord[]> {
  try {
    const dir = imagesDir(ctx.dataDir);
    await task.progress(0.05, 'building the tiny disk (the kernel package is downloaded once, then cached)');
    const disk = await buildTinyDisk(dir);
    await task.progress(0.7, 'building the container template');
    const archive = await buildTinyContainerTemplate(dir);
    const archiveBytes = (await stat(archive)).size;
    const now = isoAt(ctx.clock);
    const records: ImageRecord[] = [
      {
        name: TINY_IMAGE,
        kind: 'vm-disk',
        format: 'raw',
        sizeBytes: disk.sizeBytes,
        fileBytes: (await stat(disk.path)).size,
        sha256: disk.sha256,
        path: disk.path,
        createdAt: now,
      },
      {
        name: TINY_TEMPLATE,
        kind: 'ct-template',
        format: null,
        sizeBytes: archiveBytes,
        fileBytes: archiveBytes,
        sha256: await sha256OfFile(archive),
        path: archive,
        createdAt: now,
      },
    ];
    await ctx.store.txn(
      [],
      records.map((r) => ({ put: imageKey(r.name), value: imageValue(r) })),
    );
    await task.log(`images '${TINY_IMAGE}' (${disk.sizeBytes} bytes, raw) and '${TINY_TEMPLATE}' recorded`);
    return records;
  } catch (e) {
    throw asGrappeError(e);
  }
}
