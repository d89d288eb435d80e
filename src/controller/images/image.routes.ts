// Images: list, show, build the tiny images (task image.build), import a file (task image.import),
// delete (refused while a volume is being created from it).
import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { imageBuildBody, imageImportBody, imageRecord } from '../../contract/storage.contract.ts';
import { GrappeError } from '../../core/errors.ts';
import { storageErrors } from '../../core/storage/storage-errors.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { listVolumes } from '../storage/volume-store.ts';
import { runTinyBuild } from './image-build.ts';
import { planImport, runImport } from './image-import.ts';
import { getImage, imageKey, imagesDir, listImages } from './image-store.ts';

const TAGS = ['images'];
const nameParams = z.object({ name: z.string() });

export function imageRoutes(ctx: ControllerContext): RouteSpec[] {
  const importing = new Set<string>();
  let building: string | undefined;
  return [
    defineRoute({
      method: 'GET',
      url: '/images',
      summary: 'Disk images and container templates',
      tags: TAGS,
      errors: [],
      response: z.array(imageRecord),
      handler: async () => ({ body: await listImages(ctx.store) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/images/:name',
      summary: 'One image',
      tags: TAGS,
      errors: ['noSuchImage'],
      params: nameParams,
      response: imageRecord,
      handler: async ({ params }) => ({ body: await getImage(ctx.store, params.name) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/images/build',
      summary: "Build Grappe's tiny images on the controller machine: 'tiny' (bootable raw disk) and 'tiny-ct' (container template)",
      tags: TAGS,
      errors: ['buildRunning', 'imageBuildFailed', 'controllerRestarted'],
      body: imageBuildBody,
      audit: 'image.build',
      handler: async ({ actor }) => {
        if (building) throw new GrappeError('buildRunning', `cannot build the tiny images: task ${building} is building them now`, { taskId: building });
        building = 'starting';
        try {
          const taskId = await ctx.tasks.start({ kind: 'image.build', target: 'image:tiny', actor }, async (task) => {
            building = task.id;
            try {
              return await runTinyBuild(ctx, task);
            } finally {
              building = undefined;
            }
          });
          return { taskId, auditTarget: '/images/tiny' };
        } catch (e) {
          building = undefined;
          throw e;
        }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/images/import',
      summary: 'Import a raw or qcow2 disk image from a file on the controller machine',
      tags: TAGS,
      errors: ['duplicate', 'unsupportedImageFormat', 'controllerRestarted'],
      body: imageImportBody,
      audit: 'image.import',
      handler: async ({ body, actor }) => {
        const plan = await planImport(ctx, body.path, body.name, importing);
        importing.add(plan.name);
        try {
          const taskId = await ctx.tasks.start({ kind: 'image.import', target: `image:${plan.name}`, actor }, async (task) => {
            try {
              return await runImport(ctx, task, plan);
            } finally {
              importing.delete(plan.name);
            }
          });
          return { taskId, auditTarget: `/images/${plan.name}` };
        } catch (e) {
          importing.delete(plan.name);
          throw e;
        }
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/images/:name',
      summary: 'Delete an image (refused while a volume is being created from it)',
      tags: TAGS,
      errors: ['noSuchImage', 'imageInUse'],
      params: nameParams,
      audit: 'image.delete',
      handler: async ({ params }) => {
        const image = await getImage(ctx.store, params.name);
        const users = (await listVolumes(ctx)).filter((v) => v.state === 'creating' && v.image === image.name).map((v) => v.name);
        if (users.length > 0) throw storageErrors.imageInUse(image.name, users);
        await ctx.store.txn([], [{ delete: imageKey(image.name) }]);
        // Only files in the image store are ours to remove.
        if (image.path.startsWith(imagesDir(ctx.dataDir) + '/')) await rm(image.path, { force: true });
        return { body: { deleted: image.name } };
      },
    }),
  ];
}
