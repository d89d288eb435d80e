// `grappe image build tiny|import FILE|list|delete`: images kept on the controller machine.
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { imageRecord, type ImageRecord } from '../../contract/storage.contract.ts';
import { renderTable } from '../output/table.ts';
import { formatMiB } from '../output/units.ts';
import type { Runtime } from '../runtime.ts';
import { reportAction, type ActionFlags } from './action-result.ts';
import { printJson, withJson, withWait, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

const BUILDABLE = ['tiny'] as const;

function buildableArg(value: string): 'tiny' {
  const found = BUILDABLE.find((b) => b === value);
  if (!found) throw new InvalidArgumentError(`'${value}' is not an image Grappe can build (known: ${BUILDABLE.join(', ')})`);
  return found;
}

const mibOf = (bytes: number): string => formatMiB(bytes / (1024 * 1024));

export function renderImageList(images: readonly ImageRecord[]): string {
  if (images.length === 0) return 'No images yet: `grappe image build tiny` or `grappe image import FILE`.\n';
  return renderTable(
    [
      { header: 'NAME' },
      { header: 'KIND' },
      { header: 'FORMAT' },
      { header: 'SIZE', align: 'right' },
      { header: 'FILE', align: 'right' },
      { header: 'CREATED' },
    ],
    images.map((i) => [i.name, i.kind, i.format ?? '-', mibOf(i.sizeBytes), mibOf(i.fileBytes), i.createdAt]),
  );
}

const namesIn = (result: unknown): string =>
  Array.isArray(result) ? result.map((r) => `'${(r as { name?: string }).name ?? '?'}'`).join(' and ') : 'the images';

export function registerImage(program: Command, rt: Runtime): void {
  const cmd = program.command('image').description('disk images and container templates');

  withWait(
    cmd
      .command('build')
      .description("build Grappe's tiny images: 'tiny' (bootable raw disk) and 'tiny-ct' (container template)")
      .argument('<name>', 'tiny', buildableArg),
  ).action(async (name: 'tiny', opts: ActionFlags) => {
    await withClient(rt, async (client) => {
      const res = await client.request('POST', '/images/build', { name });
      await reportAction(client, rt, res, opts, (r) => `Built ${namesIn(r)}.`);
    });
  });

  withWait(
    cmd
      .command('import')
      .description('import a raw or qcow2 disk image (a file on the controller machine: run this there)')
      .argument('<file>', 'the image file')
      .option('--name <name>', 'image name (default: the file name without its extension)'),
  ).action(async (file: string, opts: ActionFlags & { name?: string }) => {
    await withClient(rt, async (client) => {
      const res = await client.request('POST', '/images/import', { path: resolve(file), ...(opts.name === undefined ? {} : { name: opts.name }) });
      await reportAction(client, rt, res, opts, (r) => {
        const img = imageRecord.safeParse(r);
        return img.success ? `Image '${img.data.name}' imported (${img.data.format}, ${mibOf(img.data.sizeBytes)}).` : 'Image imported.';
      });
    });
  });

  withJson(cmd.command('list').description('list the images')).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', '/images');
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderImageList(parseList(client, imageRecord, res.body, 'images', 'GET /images')));
    });
  });

  withJson(cmd.command('delete').description('delete an image').argument('<name>', 'image name')).action(async (name: string, opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('DELETE', `/images/${encodeURIComponent(name)}`);
      await reportAction(client, rt, res, opts, () => `Image '${name}' deleted.`);
    });
  });
}
