// Stands up (or removes, or shows) a testbed: hosts as network namespaces, each running a real agent.
// The agents keep running after `up` exits (own session, output in each host's agent.log), so the demo
// can use them.
//   node --import tsx scripts/testbed.ts up     [--id demo] [--hosts storage:1,processing:2] [--controllers N] [--slot N] [--agent-bundle PATH] [--no-agents]
//   node --import tsx scripts/testbed.ts down   [--id demo]
//   node --import tsx scripts/testbed.ts status [--id demo] [--json]
// Common: --root-dir DIR (default /var/lib/grappe-testbed/<id>). `up` prints a JSON description.
// --controllers N adds N machines ctl1…ctlN on the LAN for a cluster of controllers (no agent runs
// there: the demo starts a controller and its etcd member in each).
import { parseArgs } from 'node:util';
import { isAlive, namespacePids, tcpAnswers } from '../test/testbed/ns-process.ts';
import { listNamespaces } from '../test/testbed/testbed-network.ts';
import { cleanupTestbed, parseHostCounts, subnetsForSlot, Testbed, TestbedError } from '../test/testbed/testbed.ts';

const USAGE = `usage: node --import tsx scripts/testbed.ts up|down|status [--id demo] [--hosts storage:1,processing:2]
       [--controllers N] [--slot N] [--root-dir DIR] [--agent-bundle PATH] [--no-agents] [--json]`;

/** The machines of a cluster of controllers: testbed hosts named ctl<n>, on the LAN, without an agent. */
const controllerMachines = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `ctl${i + 1}`, purpose: 'processing' as const }));
const isControllerMachine = (name: string): boolean => /^ctl\d+$/.test(name);

function describe(tb: Testbed) {
  return {
    id: tb.id,
    rootDir: tb.rootDir,
    controllerLanIp: tb.controllerLanIp,
    subnets: tb.subnets,
    agentPort: tb.agentPort,
    hosts: tb.hosts.filter((h) => !isControllerMachine(h.name)).map((h) => ({ ...h, agentLog: tb.agentLog(h.name), agentPids: tb.agentPids(h.name) })),
    controllers: tb.hosts.filter((h) => isControllerMachine(h.name)).map((h) => ({ name: h.name, namespace: h.namespace, lanIp: h.lanIp, dir: h.dir })),
  };
}

async function up(id: string, values: Options): Promise<void> {
  if (values.slot !== undefined && !/^\d+$/.test(values.slot))
    throw new TestbedError(`--slot '${values.slot}' refused: expected a slot number, 0 for the default subnets`);
  const slot = values.slot === undefined ? undefined : Number(values.slot);
  if (values.controllers !== undefined && !/^[1-9]$/.test(values.controllers))
    throw new TestbedError(`--controllers '${values.controllers}' refused: expected a number of controller machines from 1 to 9`);
  const tb = await Testbed.create({
    id,
    hosts: [...parseHostCounts(values.hosts ?? 'storage:1,processing:2'), ...controllerMachines(Number(values.controllers ?? 0))],
    ...(slot === undefined ? {} : { subnets: subnetsForSlot(slot) }),
    ...(values['root-dir'] ? { rootDir: values['root-dir'] } : {}),
    ...(values['agent-bundle'] ? { agentBundle: values['agent-bundle'] } : {}),
  });
  try {
    if (!values['no-agents']) for (const h of tb.hosts) if (!isControllerMachine(h.name)) await tb.startAgent(h.name);
  } catch (e) {
    await tb.destroy(); // all or nothing: no half-started pool left behind
    throw e;
  }
  console.log(JSON.stringify(describe(tb), null, 2));
}

async function status(id: string, values: Options): Promise<void> {
  const tb = Testbed.load(id, values['root-dir']);
  const namespaces = new Set(listNamespaces());
  const hosts = await Promise.all(
    tb.hosts.map(async (h) => ({
      name: h.name,
      purpose: h.purpose,
      lanIp: h.lanIp,
      namespace: namespaces.has(h.namespace) ? 'present' : 'missing',
      processes: namespacePids(h.namespace).filter(isAlive).length,
      agentPids: tb.agentPids(h.name),
      agentPort: (await tcpAnswers(h.lanIp, tb.agentPort, 1_000)) ? 'answers' : 'silent',
    })),
  );
  if (values.json) {
    console.log(JSON.stringify({ id: tb.id, rootDir: tb.rootDir, controllerLanIp: tb.controllerLanIp, hosts }, null, 2));
    return;
  }
  console.log(`testbed ${tb.id} (${tb.rootDir}), controller LAN address ${tb.controllerLanIp}`);
  const rows = [['HOST', 'PURPOSE', 'LAN IP', 'NAMESPACE', 'PROCS', 'AGENT PID', 'PORT ' + tb.agentPort]];
  for (const h of hosts) rows.push([h.name, h.purpose, h.lanIp, h.namespace, String(h.processes), h.agentPids.join(',') || '-', h.agentPort]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
}

const OPTIONS = {
  id: { type: 'string' },
  hosts: { type: 'string' },
  controllers: { type: 'string' },
  slot: { type: 'string' },
  'root-dir': { type: 'string' },
  'agent-bundle': { type: 'string' },
  'no-agents': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
interface Options {
  id?: string | undefined;
  hosts?: string | undefined;
  controllers?: string | undefined;
  slot?: string | undefined;
  'root-dir'?: string | undefined;
  'agent-bundle'?: string | undefined;
  'no-agents'?: boolean | undefined;
  json?: boolean | undefined;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: OPTIONS, allowPositionals: true });
  const [command, ...extra] = positionals;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (command === undefined || extra.length > 0 || !['up', 'down', 'status'].includes(command)) {
    throw new TestbedError(`expected one command, up, down or status\n${USAGE}`);
  }
  if (process.getuid?.() !== 0) throw new TestbedError(`testbed ${command} refused: it needs root (network namespaces, veths, bridges)`);
  const id = values.id ?? 'demo';
  if (command === 'up') await up(id, values);
  else if (command === 'down') {
    await cleanupTestbed(id, values['root-dir'] ? { rootDir: values['root-dir'] } : {});
    console.log(`testbed ${id} removed`);
  } else await status(id, values);
}

main().catch((e: unknown) => {
  const known = e instanceof TestbedError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'));
  // Refusals are shown as they are; anything else is a bug, shown with its stack.
  console.error(`testbed: ${known ? (e as Error).message : e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
