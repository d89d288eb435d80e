// `grappe init`: creates the cluster in a data dir and points the CLI at it (no session yet).
import type { Command } from 'commander';
import { cidrArg, urlArg } from '../arg-parsers.ts';
import { configPath, dataDirOf, DEFAULT_URL, saveConfig } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';

interface InitOptions extends JsonFlag {
  dataDir?: string;
  name?: string;
  password?: string;
  lan?: string;
  san?: string;
  ran?: string;
  url?: string;
}

export function registerInit(program: Command, rt: Runtime): void {
  withJson(
    program
      .command('init')
      .description('create a new cluster: data dir, cluster CA, admin user; and point this CLI at it')
      .option('--data-dir <dir>', 'where the controller keeps its state (default $GRAPPE_DATA_DIR or /var/lib/grappe)')
      .option('--name <name>', 'cluster name')
      .option('--password <password>', 'admin password (default: a generated one, printed once)')
      .option('--lan <cidr>', 'LAN subnet (management and guest services)', cidrArg)
      .option('--san <cidr>', 'SAN subnet (storage traffic)', cidrArg)
      .option('--ran <cidr>', 'RAN subnet (replication between storage hosts)', cidrArg)
      .option('--url <url>', `the controller URL this CLI will use (default ${DEFAULT_URL})`, urlArg),
  ).action(async (opts: InitOptions) => {
    const { initCluster } = await import('../../controller/init-cluster.ts');
    const dataDir = dataDirOf(rt.env, opts.dataDir);
    const url = opts.url ?? DEFAULT_URL;
    const subnets = { ...(opts.lan ? { LAN: opts.lan } : {}), ...(opts.san ? { SAN: opts.san } : {}), ...(opts.ran ? { RAN: opts.ran } : {}) };
    const result = await initCluster({
      dataDir,
      ...(opts.name ? { clusterName: opts.name } : {}),
      ...(opts.password ? { adminPassword: opts.password } : {}),
      subnets,
      apiNames: [new URL(url).hostname],
    });
    // A new cluster means a new CA: keep nothing of a previous session.
    const path = configPath(rt.env);
    saveConfig(path, { url, caCertPem: result.caCertPem });
    if (opts.json) {
      printJson(rt, {
        clusterId: result.clusterId,
        dataDir,
        url,
        configPath: path,
        adminUser: 'admin',
        ...(result.generatedPassword ? { adminPassword: result.adminPassword } : {}),
      });
      return;
    }
    const lines = [`Cluster ${result.clusterId} created in ${dataDir}.`, ''];
    if (result.generatedPassword) {
      lines.push('  Admin user:      admin', `  Admin password:  ${result.adminPassword}`, '  (generated: shown this once only, keep it safe)', '');
    }
    lines.push(
      `CLI config written to ${path} (controller URL ${url}).`,
      `Next: grappe controller start${opts.dataDir ? ` --data-dir ${dataDir}` : ''}, then grappe login`,
    );
    rt.stdout.write(lines.join('\n') + '\n');
  });
}
