// `grappe image import FILE`: a raw or qcow2 file on the controller machine, checked with qemu-img,
// copied (streamed, hashed) into <data dir>/images/ and recorded. The checks run before the task so a
// bad file is refused at once.
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecord } from '../../contract/storage.contract.ts';
import { errors } from '../../core/errors.ts';
import { assertImageName, imageNameFromPath, type ImageFileFacts } from '../../core/storage/image-rules.ts';
import { isoAt } from '../platform/clock.ts';
import type { ControllerContext, TaskContext } from '../platform/types.ts';
import { copyHashing, qemuImgInfo } from './image-file.ts';
import { findImage, imageKey, imagesDir, imageValue } from './image-store.ts';

export interface ImportPlan {
  readonly name: string;
  readonly source: string;
  readonly facts: ImageFileFacts;
}

export async function planImport(ctx: ControllerContext, path: string, name: string | undefined, pending: ReadonlySet<string>): Promise<ImportPlan> {
  const imageName = name ?? imageNameFromPath(path);
  assertImageName(imageName);
  const st = await stat(path).catch(() => undefined);
  if (!st) throw errors.invalidInput(`import of '${path}' refused: no such file on the controller machine`, { file: path });
  if (!st.isFile()) throw errors.invalidInput(`import of '${path}' refused: it is not a regular file`, { file: path });
  if (pending.has(imageName) || (await findImage(ctx.store, imageName))) throw errors.duplicate('image', imageName);
  return { name: imageName, source: path, facts: await qemuImgInfo(path) };
}

export async function runImport(ctx: ControllerContext, task: TaskContext, plan: ImportPlan): Promise<ImageRecord> {
  // Apart from the built images' files, so no name can clash with them.
  const dir = join(imagesDir(ctx.dataDir), 'imported');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${plan.name}.${plan.facts.format}`);
  const partial = join(dir, `.${plan.name}.${task.id}.partial`);
  try {
    await task.progress(0.1, `copying ${plan.source}`);
    const { sha256, bytes } = await copyHashing(plan.source, partial);
    await rename(partial, path);
    const record: ImageRecord = {
      name: plan.name,
      kind: 'vm-disk',
      format: plan.facts.format,
      sizeBytes: plan.facts.virtualSizeBytes,
      fileBytes: bytes,
      sha256,
      path,
      createdAt: isoAt(ctx.clock),
    };
    const r = await ctx.store.txn([{ key: imageKey(plan.name), modRevision: 0 }], [{ put: imageKey(plan.name), value: imageValue(record) }]);
    if (!r.succeeded) {
      await rm(path, { force: true });
      throw errors.duplicate('image', plan.name);
    }
    return record;
  } finally {
    await rm(partial, { force: true });
  }
}
