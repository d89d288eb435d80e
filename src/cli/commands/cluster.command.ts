// `grappe cluster`: the control plane. create / join run on a controller's machine with its controller
// stopped (like `grappe init`); token, status, nodes and delnode go through the API.
import type { Command } from 'commander';
import { clusterStatusView, joinTokenView } from '../../contract/cluster.contract.ts';
import { hostSummary } from '../../contract/host.contract.ts';
import { cidrArg, hostNameArg, ipv4Arg, portArg, positiveIntArg, urlArg } from '../arg-parsers.ts';
import { CliError, usageError } from '../cli-error.ts';
import { dataDirOf } from '../config.ts';
import { renderClusterNodes, renderClusterStatus } from '../output/cluster-views.ts';
import type { Runtime } from '../runtime.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

interface AddressOptions extends JsonFlag {
  dataDir?: string;
  name: string;
  address: string;
  apiPort?: number;
  etcdClientPort?: number;
  etcdPeerPort?: number;
  vip?: string;
  vipInterface?: string;
}

const addressOptions = (cmd: Command): Command =>
  cmd
    .option('--data-dir <dir>', 'the controller data dir (default $GRAPPE_DATA_DIR or /var/lib/grappe)')
    .requiredOption('--name <name>', "this controller's name (also its etcd member's)", hostNameArg)
    .requiredOption('--address <ip>', 'the address other controllers, hosts and clients reach this controller at', ipv4Arg)
    .option('--api-port <port>', 'HTTPS API port (default 8443)', portArg)
    .option('--etcd-client-port <port>', 'etcd client port (default 7379)', portArg)
    .option('--etcd-peer-port <port>', 'etcd peer port (default 7380)', portArg)
    .option('--vip-interface <ifname>', 'the interface the floating address goes on when this controller leads');

function addressing(o: AddressOptions) {
  if (o.vip && !o.vipInterface) throw usageError('--vip needs --vip-interface (the interface the leader puts the address on)');
  return {
    name: o.name,
    address: o.address,
    ...(o.apiPort ? { apiPort: o.apiPort } : {}),
    ...(o.etcdClientPort ? { etcdClientPort: o.etcdClientPort } : {}),
    ...(o.etcdPeerPort ? { etcdPeerPort: o.etcdPeerPort } : {}),
  };
}

export function registerCluster(program: Command, rt: Runtime): void {
  const cluster = program.command('cluster').description('the control plane: several controllers on etcd, one leader, a floating address');

  withJson(
    addressOptions(cluster.command('create').description('make this (stopped) controller the first of a cluster of controllers on etcd')).option(
      '--vip <cidr>',
      'a floating management address that follows the leader, e.g. 198.18.0.100/24',
      cidrArg,
    ),
  ).action(async (o: AddressOptions) => {
    const { createControllerCluster } = await import('../../controller/cluster/cluster-setup.ts');
    const dataDir = dataDirOf(rt.env, o.dataDir);
    const vip = o.vip && o.vipInterface ? { vip: { address: o.vip, interface: o.vipInterface } } : {};
    const result = await createControllerCluster(dataDir, { ...addressing(o), ...vip });
    if (o.json) return printJson(rt, { name: result.config.name, apiUrl: result.config.apiUrl, entriesCopied: result.entriesCopied });
    rt.stdout.write(
      `controller ${result.config.name} is the first of a cluster of controllers: store moved to etcd (${result.entriesCopied} records copied; ` +
        `the SQLite file is kept as grappe.db.before-cluster)\nstart it with \`grappe controller start\`; add others with \`grappe cluster token\` and \`grappe cluster join\`\n`,
    );
  });

  withJson(
    addressOptions(
      cluster
        .command('join <url>')
        .description('make this machine a controller of the cluster at <url> (any of its controllers), from an empty data dir')
        .requiredOption('--token <token>', 'a join token from `grappe cluster token`'),
    ),
  ).action(async (url: string, o: AddressOptions & { token: string }) => {
    const { joinControllerCluster } = await import('../../controller/cluster/cluster-setup.ts');
    const dataDir = dataDirOf(rt.env, o.dataDir);
    const result = await joinControllerCluster(dataDir, {
      ...addressing(o),
      ...(o.vipInterface ? { vip: { address: '', interface: o.vipInterface } } : {}),
      url: urlArg(url),
      token: o.token,
    });
    if (o.json) return printJson(rt, { name: result.config.name, apiUrl: result.config.apiUrl, members: result.answer.etcd.initialCluster });
    rt.stdout.write(`joined cluster ${result.answer.cluster.name} as controller ${o.name} (etcd members: ${result.answer.etcd.initialCluster.join(', ')})\n`);
    rt.stdout.write('start it with `grappe controller start`\n');
  });

  withJson(
    cluster
      .command('token')
      .description('make a single-use token for `grappe cluster join` (shown once)')
      .option('--ttl <minutes>', 'minutes the token stays valid (default 60)', positiveIntArg, 60),
  ).action(async (o: JsonFlag & { ttl: number }) => {
    await withClient(rt, async (client) => {
      const t = await client.call(joinTokenView, 'POST', '/cluster/tokens', { ttlMinutes: o.ttl });
      if (o.json) return printJson(rt, t);
      rt.stdout.write(`${t.token}\n(single use, valid until ${t.expiresAt}; CA fingerprint ${t.caFingerprint})\n`);
    });
  });

  withJson(cluster.command('status').description("each controller's state, raft term and indexes, the lease, and quorum")).action(async (o: JsonFlag) => {
    await withClient(rt, async (client) => {
      const s = await client.call(clusterStatusView, 'GET', '/cluster');
      if (o.json) return printJson(rt, s);
      rt.stdout.write(renderClusterStatus(s, rt.color));
    });
  });

  withJson(cluster.command('nodes').description('the controllers and the hosts')).action(async (o: JsonFlag) => {
    await withClient(rt, async (client) => {
      const s = await client.call(clusterStatusView, 'GET', '/cluster');
      const res = await client.request('GET', '/hosts');
      const hosts = parseList(client, hostSummary, res.body, 'hosts', 'GET /hosts');
      if (o.json) return printJson(rt, { controllers: s.controllers, hosts });
      rt.stdout.write(renderClusterNodes(s, hosts, rt.color));
    });
  });

  withJson(
    cluster
      .command('delnode <name>')
      .description('remove a controller (refused for the last one, or one whose removal would break quorum)')
      .option('-y, --yes', 'do not ask for confirmation'),
  ).action(async (name: string, o: JsonFlag & { yes?: boolean }) => {
    if (!o.yes) {
      if (!rt.interactive) throw usageError(`removing controller '${name}' needs confirmation: add --yes (there is no terminal to ask on)`);
      if (!(await rt.confirm(`Remove controller '${name}' from the cluster?`))) throw new CliError('cancelled: the controller was not removed');
    }
    await withClient(rt, async (client) => {
      const res = await client.request('DELETE', `/cluster/controllers/${encodeURIComponent(name)}`);
      if (o.json) return printJson(rt, res.body);
      rt.stdout.write(`controller ${name} removed from the cluster\n`);
    });
  });
}
