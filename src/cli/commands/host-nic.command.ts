// `grappe host nic list|edit`: a host's network interfaces and their logical subnets.
import type { Command } from 'commander';
import { hostNic } from '../../contract/host.contract.ts';
import { ipv4Arg } from '../arg-parsers.ts';
import { renderNicTable } from '../output/host-views.ts';
import type { Runtime } from '../runtime.ts';
import { reportAction, type ActionFlags } from './action-result.ts';
import { printJson, withJson, withWait, type JsonFlag } from './output.ts';
import { hostPath, parseList, withClient } from './session.ts';
import { subnetNameArg } from './subnet.command.ts';

export function registerHostNic(host: Command, rt: Runtime): void {
  const nic = host.command('nic').description("a host's network interfaces");

  withJson(nic.command('list').description('list the network interfaces of a host').argument('<host>', 'host id or name')).action(
    async (ref: string, opts: JsonFlag) => {
      await withClient(rt, async (client) => {
        const res = await client.request('GET', hostPath(ref, '/nics'));
        if (opts.json) return printJson(rt, res.body);
        rt.stdout.write(renderNicTable(parseList(client, hostNic, res.body, 'nics', `GET /hosts/${ref}/nics`)));
      });
    },
  );

  withWait(
    nic
      .command('edit')
      .description('attach a NIC to a logical subnet with an IP inside it (host in maintenance)')
      .argument('<host>', 'host id or name')
      .argument('<nic>', 'interface name, such as eth1')
      .requiredOption('--subnet <subnet>', 'logical subnet: LAN, SAN or RAN', subnetNameArg)
      .requiredOption('--ip <ip>', 'address inside the subnet', ipv4Arg),
  ).action(async (ref: string, nicName: string, opts: ActionFlags & { subnet: string; ip: string }) => {
    await withClient(rt, async (client) => {
      const res = await client.request('PUT', hostPath(ref, `/nics/${encodeURIComponent(nicName)}`), { subnet: opts.subnet, ip: opts.ip });
      await reportAction(client, rt, res, opts, () => `NIC ${nicName} of host '${ref}' is on ${opts.subnet} with ${opts.ip}.`);
    });
  });
}
