// `grappe volume create|list|show|resize|delete`: volumes in the storage pools (and `grappe pool list`).
import { InvalidArgumentError, type Command } from 'commander';
import { volumeFormat } from '../../contract/guest-agent.contract.ts';
import { poolView, volumeView, type PoolView, type VolumeView } from '../../contract/storage.contract.ts';
import { parseSizeMiB } from '../../contract/shared-rules.ts';
import { renderFields, renderTable } from '../output/table.ts';
import { formatMiB } from '../output/units.ts';
import type { Runtime } from '../runtime.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import { reportAction, type ActionFlags } from './action-result.ts';
import { fetchListPage } from './list-args.ts';
import { printJson, withJson, withWait, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

/** `64M`, `1G`, `1.5G`, `2T`, or a number of MiB. */
export function sizeArg(value: string): number {
  const mib = parseSizeMiB(value);
  if (mib === undefined) throw new InvalidArgumentError(`'${value}' is not a size in whole MiB (such as 64M, 1G, 1.5G)`);
  return mib;
}

function formatArg(value: string): 'raw' | 'qcow2' {
  const r = volumeFormat.safeParse(value);
  if (!r.success) throw new InvalidArgumentError(`'${value}' is not a volume format (raw or qcow2)`);
  return r.data;
}

const mibOf = (bytes: number): string => formatMiB(bytes / (1024 * 1024));
const volumePath = (name: string, rest = ''): string => `/volumes/${encodeURIComponent(name)}${rest}`;

export function renderVolumeList(volumes: readonly VolumeView[]): string {
  if (volumes.length === 0) return 'No volumes yet.\n';
  return renderTable(
    [
      { header: 'NAME' },
      { header: 'POOL' },
      { header: 'SIZE', align: 'right' },
      { header: 'FORMAT' },
      { header: 'STATE' },
      { header: 'ATTACHED TO' },
      { header: 'IMAGE' },
    ],
    volumes.map((v) => [v.name, v.pool, mibOf(v.sizeBytes), v.format, v.state ?? 'ready', v.attachedTo ?? '-', v.image ?? '-']),
  );
}

export function renderVolumeDetails(v: VolumeView): string {
  return (
    `Volume ${v.name}\n` +
    renderFields([
      ['Pool', v.pool],
      ['Size', `${mibOf(v.sizeBytes)} (${v.sizeBytes} bytes)`],
      ['Format', v.format],
      ['State', v.state ?? 'ready'],
      ['Attached to', v.attachedTo ?? '-'],
      ['Image', v.image ?? '-'],
      ['iSCSI URL', v.url ?? '-'],
      ['Initiators', v.initiators && v.initiators.length > 0 ? v.initiators.join(', ') : '-'],
      ['Created', v.createdAt],
    ])
  );
}

export function renderPoolList(pools: readonly PoolView[]): string {
  if (pools.length === 0) return 'No pools yet: add a storage or processing host.\n';
  return renderTable(
    [{ header: 'NAME' }, { header: 'TYPE' }, { header: 'HOST' }, { header: 'SHARED' }],
    pools.map((p) => [p.name, p.type, p.hostName, p.shared ? 'yes' : 'no']),
  );
}

interface CreateFlags extends ActionFlags {
  readonly pool: string;
  readonly size?: number;
  readonly image?: string;
  readonly format?: 'raw' | 'qcow2';
}

export function registerVolume(program: Command, rt: Runtime): void {
  const cmd = program.command('volume').description('volumes in the storage pools');

  withWait(
    cmd
      .command('create')
      .description('create a volume, empty (--size) or from an image (--image); waits for the task unless --no-wait')
      .argument('<name>', "a friendly name, unique in the cluster, such as 'web01-root'")
      .requiredOption('--pool <pool>', 'the pool: iscsi-<storage host> or local-<processing host> (see `grappe pool list`)')
      .option('--size <size>', 'the size, such as 64M or 1G (default with --image: the image size)', sizeArg)
      .option('--image <image>', 'create it from this image')
      .option('--format <format>', 'raw or qcow2 (default raw; from an image: the image format)', formatArg),
  ).action(async (name: string, opts: CreateFlags) => {
    const body = {
      name,
      pool: opts.pool,
      ...(opts.size === undefined ? {} : { sizeMiB: opts.size }),
      ...(opts.image === undefined ? {} : { image: opts.image }),
      ...(opts.format === undefined ? {} : { format: opts.format }),
    };
    await withClient(rt, async (client) => {
      const res = await client.request('POST', '/volumes', body);
      await reportAction(client, rt, res, opts, (r) => {
        const v = volumeView.safeParse(r);
        return v.success
          ? `Volume '${name}' created in pool '${v.data.pool}' (${mibOf(v.data.sizeBytes)} ${v.data.format}${v.data.url ? `, ${v.data.url}` : ''}).`
          : `Volume '${name}' created.`;
      });
    });
  });

  withJson(
    cmd
      .command('list')
      .description('list the volumes, by name')
      .option('--pool <pool>', 'only the volumes of this pool')
      .option('--limit <n>', 'at most n volumes (the next page: --cursor, as printed)', positiveIntArg)
      .option('--cursor <name>', 'the volumes after this name (from the previous page)'),
  ).action(async (opts: JsonFlag & { pool?: string; limit?: number; cursor?: string }) => {
    await withClient(rt, async (client) => {
      const page = { filters: { pool: opts.pool }, limit: opts.limit, cursor: opts.cursor };
      const res = await fetchListPage(client, rt, '/volumes', { noun: 'volumes', command: 'grappe volume list' }, page);
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderVolumeList(parseList(client, volumeView, res.body, 'volumes', 'GET /volumes')));
    });
  });

  withJson(cmd.command('show').description('show a volume').argument('<name>', 'volume name')).action(async (name: string, opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', volumePath(name));
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderVolumeDetails(client.parse(volumeView, res.body, `GET /volumes/${name}`)));
    });
  });

  withJson(
    cmd
      .command('resize')
      .description('grow a volume (volumes never shrink)')
      .argument('<name>', 'volume name')
      .requiredOption('--size <size>', 'the new size, such as 2G', sizeArg),
  ).action(async (name: string, opts: JsonFlag & { size: number }) => {
    await withClient(rt, async (client) => {
      const res = await client.request('POST', volumePath(name, '/resize'), { sizeMiB: opts.size });
      await reportAction(client, rt, res, opts, () => `Volume '${name}' is now ${formatMiB(opts.size)}.`);
    });
  });

  withJson(cmd.command('delete').description('delete a volume (refused while attached to a guest)').argument('<name>', 'volume name')).action(
    async (name: string, opts: JsonFlag) => {
      await withClient(rt, async (client) => {
        const res = await client.request('DELETE', volumePath(name));
        await reportAction(client, rt, res, opts, () => `Volume '${name}' deleted.`);
      });
    },
  );

  withJson(
    program.command('pool').description('storage pools (made automatically from the hosts)').command('list').description('list the storage pools'),
  ).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', '/pools');
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderPoolList(parseList(client, poolView, res.body, 'pools', 'GET /pools')));
    });
  });
}
