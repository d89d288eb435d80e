// `grappe network list|create|delete`: pool-wide guest networks (a bridge gn-<name> on each processing host).
import type { Command } from 'commander';
import { networkRecord, type NetworkRecord } from '../../contract/storage.contract.ts';
import { renderTable } from '../output/table.ts';
import type { Runtime } from '../runtime.ts';
import { reportAction } from './action-result.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

export function renderNetworkList(networks: readonly NetworkRecord[]): string {
  return renderTable(
    [{ header: 'NAME' }, { header: 'BRIDGE' }, { header: 'SHARED' }, { header: 'CREATED' }],
    networks.map((n) => [n.name, n.bridge, n.shared ? 'yes' : 'no', n.createdAt]),
  );
}

export function registerNetwork(program: Command, rt: Runtime): void {
  const cmd = program.command('network').description('guest networks');

  withJson(cmd.command('list').description('list the guest networks')).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', '/networks');
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderNetworkList(parseList(client, networkRecord, res.body, 'networks', 'GET /networks')));
    });
  });

  withJson(cmd.command('create').description('create a guest network, shared by every processing host').argument('<name>', 'up to 12 of a-z, 0-9, -')).action(
    async (name: string, opts: JsonFlag) => {
      await withClient(rt, async (client) => {
        const res = await client.request('POST', '/networks', { name });
        await reportAction(
          client,
          rt,
          res,
          opts,
          (r) => `Guest network '${name}' created (bridge ${(r as { bridge?: string } | undefined)?.bridge ?? `gn-${name}`}).`,
        );
      });
    },
  );

  withJson(cmd.command('delete').description('delete a guest network (refused while a guest has a NIC on it)').argument('<name>', 'network name')).action(
    async (name: string, opts: JsonFlag) => {
      await withClient(rt, async (client) => {
        const res = await client.request('DELETE', `/networks/${encodeURIComponent(name)}`);
        await reportAction(client, rt, res, opts, () => `Guest network '${name}' deleted.`);
      });
    },
  );
}
