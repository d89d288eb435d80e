// `grappe subnet list|edit`: the logical subnets LAN, SAN and RAN.
import { InvalidArgumentError, type Command } from 'commander';
import { subnet, SUBNET_NAMES, type SubnetName } from '../../contract/subnet.contract.ts';
import { cidrArg } from '../arg-parsers.ts';
import { renderSubnetList } from '../output/record-views.ts';
import type { Runtime } from '../runtime.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

/** LAN, SAN or RAN, in any case. */
export function subnetNameArg(value: string): SubnetName {
  const upper = value.toUpperCase();
  const found = SUBNET_NAMES.find((n) => n === upper);
  if (!found) throw new InvalidArgumentError(`'${value}' is not a logical subnet (known: ${SUBNET_NAMES.join(', ')})`);
  return found;
}

export function registerSubnet(program: Command, rt: Runtime): void {
  const cmd = program.command('subnet').description('logical subnets: LAN, SAN, RAN');

  withJson(cmd.command('list').description('list the logical subnets')).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', '/subnets');
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderSubnetList(parseList(client, subnet, res.body, 'subnets', 'GET /subnets')));
    });
  });

  withJson(
    cmd
      .command('edit')
      .description("change a logical subnet's CIDR")
      .argument('<name>', 'LAN, SAN or RAN', subnetNameArg)
      .requiredOption('--cidr <cidr>', 'the new CIDR, such as 198.18.2.0/24', cidrArg),
  ).action(async (name: SubnetName, opts: JsonFlag & { cidr: string }) => {
    await withClient(rt, async (client) => {
      const res = await client.request('PATCH', `/subnets/${name}`, { cidr: opts.cidr });
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(`Subnet ${name} is now ${opts.cidr}.\n`);
    });
  });
}
