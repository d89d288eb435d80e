// `grappe ha enable|disable|status|set|unset|settings`: high availability of the pool.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { haStatus, type HaStatus } from '../../contract/ha.contract.ts';
import { paint } from '../output/ansi.ts';
import { renderTable } from '../output/table.ts';
import type { Runtime } from '../runtime.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { withClient } from './session.ts';

export function wholeArg(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${value}' is not a whole number ≥ 0`);
  return n;
}

export function secondsArg(value: string): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 3600)) throw new InvalidArgumentError(`'${value}' is not a number of seconds between 0 and 3600`);
  return n;
}

/** `HOST=COMMAND ARGS…`: a host's external fence agent, run without a shell. */
export function fenceAgentArg(value: string, previous: Record<string, string[]> = {}): Record<string, string[]> {
  const eq = value.indexOf('=');
  const command = value
    .slice(eq + 1)
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (eq <= 0 || command.length === 0)
    throw new InvalidArgumentError(`'${value}' is not HOST=COMMAND (such as proc1='fence_ipmilan -a 10.0.0.5 -l admin -p secret -o off')`);
  return { ...previous, [value.slice(0, eq)]: command };
}

const ago = (ms: number | undefined): string => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)}s ago`);

/** At scale HA runs a longer round than configured: say so, with the timings that grew. */
function pacingLine(settings: HaStatus['settings']): string[] {
  const t = settings.pacedTiming;
  if (!t) return [];
  return [
    `Round: ${t.renewIntervalMs} ms for this many hosts (configured ${settings.timing.renewIntervalMs} ms); ` +
      `network timeout ${t.netTimeoutMs} ms, fence timeout ${t.fenceTimeoutMs} ms, storage timeout ${t.storageTimeoutMs} ms`,
  ];
}

export function renderHaStatus(s: HaStatus, color: boolean): string {
  if (!s.enabled) {
    const plans = s.guests.length > 0 ? ` ${s.guests.length} guest plan(s) are kept for when it is.` : '';
    return `HA: disabled (enable it with \`grappe ha enable --heartbeat-volume VOL\`).${plans}\n`;
  }
  const p = s.pool;
  const tolerable = p.tolerable === undefined ? '(not computed yet)' : String(p.tolerable);
  const lines = [
    `HA: enabled, heartbeat volume ${s.heartbeatVolume ?? '?'}`,
    `Failures tolerated: ${tolerable} now, ${p.failuresToTolerate} configured` + (p.overCommitted ? ` ${paint(color, 'red', 'ALERT: over-committed')}` : ''),
    `Health: ${p.unhealthy === undefined ? paint(color, 'green', 'healthy') : paint(color, 'red', `UNHEALTHY: ${p.unhealthy}`)}` +
      (p.stormGuard ? ` ${paint(color, 'red', '(fencing-storm guard on: fencing nothing)')}` : ''),
    ...pacingLine(s.settings),
    '',
  ];
  const hosts = renderTable(
    [
      { header: 'HOST' },
      { header: 'HA STATE' },
      { header: 'NETWORK HEARTBEAT' },
      { header: 'STORAGE HEARTBEAT' },
      { header: 'WATCHDOG' },
      { header: 'FENCE AGENT' },
    ],
    s.hosts.map((h) => [
      h.name,
      h.haState ?? '-',
      `${h.network.healthy ? paint(color, 'green', 'ok') : paint(color, 'red', 'LOST')} (${ago(h.network.lastHeartbeatAgoMs)})`,
      (h.storage.selfFenced ? paint(color, 'yellow', 'self-fenced') : h.storage.healthy ? paint(color, 'green', 'ok') : paint(color, 'red', 'silent')) +
        ` (${ago(h.storage.lastWriteAgoMs)})` +
        (h.storage.error ? ` ${h.storage.error}` : ''),
      h.watchdog ?? '-',
      h.fenceAgent ? 'yes' : '-',
    ]),
  );
  const guests =
    s.guests.length === 0
      ? 'No guest has an HA plan yet: `grappe ha set vm:100 --restart always`.\n'
      : renderTable(
          [
            { header: 'GUEST' },
            { header: 'NAME' },
            { header: 'RESTART' },
            { header: 'ORDER', align: 'right' },
            { header: 'DELAY', align: 'right' },
            { header: 'HA STATE' },
            { header: 'HOST' },
          ],
          s.guests.map((g) => [g.id, g.name, g.plan.restart, String(g.plan.order), `${g.plan.delay}s`, g.haState ?? '-', g.host ?? '-']),
        );
  const events =
    s.events.length === 0
      ? ['  (none)']
      : s.events.map((e) => `  ${e.at}  ${e.severity === 'info' ? e.message : paint(color, e.severity === 'error' ? 'red' : 'yellow', e.message)}`);
  return [...lines, hosts, guests, 'Recent HA events:', ...events, ''].join('\n');
}

const guestPath = (ref: string): string => `/ha/guests/${encodeURIComponent(ref)}`;

async function showStatus(rt: Runtime, body: unknown, json: boolean | undefined, parse: (b: unknown) => HaStatus): Promise<void> {
  if (json) return printJson(rt, body);
  rt.stdout.write(renderHaStatus(parse(body), rt.color));
}

export function registerHa(program: Command, rt: Runtime): void {
  const cmd = program.command('ha').description('high availability: heartbeats, fencing, restart plans');

  withJson(cmd.command('status').description('per host heartbeats and HA state, failures tolerated, plans, recent HA events')).action(
    async (opts: JsonFlag) => {
      await withClient(rt, async (client) => {
        const res = await client.request('GET', '/ha/status');
        await showStatus(rt, res.body, opts.json, (b) => client.parse(haStatus, b, 'GET /ha/status'));
      });
    },
  );

  withJson(
    cmd
      .command('enable')
      .description('enable HA with a shared iSCSI heartbeat volume (≥ 356 MiB, used by nothing else)')
      .requiredOption('--heartbeat-volume <volume>', 'the heartbeat volume (per-host slots and metadata)')
      .option('--failures-to-tolerate <n>', 'host failures the pool must survive', wholeArg),
  ).action(async (opts: JsonFlag & { heartbeatVolume: string; failuresToTolerate?: number }) => {
    await withClient(rt, async (client) => {
      const body = { heartbeatVolume: opts.heartbeatVolume, ...(opts.failuresToTolerate !== undefined ? { failuresToTolerate: opts.failuresToTolerate } : {}) };
      const res = await client.request('POST', '/ha/enable', body);
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(`HA enabled with heartbeat volume '${opts.heartbeatVolume}'.\n`);
      rt.stdout.write(renderHaStatus(client.parse(haStatus, res.body, 'POST /ha/enable'), rt.color));
    });
  });

  withJson(cmd.command('disable').description('disable HA: disarm every host, stop the heartbeats, free the heartbeat volume')).action(
    async (opts: JsonFlag) => {
      await withClient(rt, async (client) => {
        const res = await client.request('POST', '/ha/disable');
        if (opts.json) return printJson(rt, res.body);
        const notDisarmed = (res.body as { notDisarmed?: string[] }).notDisarmed ?? [];
        rt.stdout.write(
          'HA disabled.\n' +
            (notDisarmed.length > 0
              ? `Not disarmed (unreachable): ${notDisarmed.join(', ')}: their agents self-fence their HA guests when their lease runs out.\n`
              : ''),
        );
      });
    },
  );

  withJson(
    cmd
      .command('set')
      .description("set a guest's HA plan")
      .argument('<guest>', 'vm:ID or ct:ID')
      .addOption(
        new Option('--restart <plan>', 'always: recovered first; best-effort: if capacity is left; never: not restarted')
          .choices(['always', 'best-effort', 'never'])
          .makeOptionMandatory(),
      )
      .option('--order <n>', 'recovery order group (lower first)', wholeArg, 0)
      .option('--delay <seconds>', 'wait after this group starts before the next one', secondsArg, 0),
  ).action(async (guest: string, opts: JsonFlag & { restart: string; order: number; delay: number }) => {
    await withClient(rt, async (client) => {
      const res = await client.request('PUT', guestPath(guest), { restart: opts.restart, order: opts.order, delay: opts.delay });
      if (opts.json) return printJson(rt, res.body);
      const r = res.body as { guest?: string };
      rt.stdout.write(`HA plan of ${r.guest ?? guest}: restart ${opts.restart}, order ${opts.order}, delay ${opts.delay}s.\n`);
    });
  });

  withJson(cmd.command('unset').description("remove a guest's HA plan").argument('<guest>', 'vm:ID or ct:ID')).action(async (guest: string, opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('DELETE', guestPath(guest));
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(`HA plan of ${(res.body as { guest?: string }).guest ?? guest} removed: HA no longer restarts it.\n`);
    });
  });

  withJson(
    cmd
      .command('settings')
      .description('change HA settings (failures to tolerate, timings, fence agents)')
      .option('--failures-to-tolerate <n>', 'host failures the pool must survive', wholeArg)
      .option('--net-timeout <ms>', 'a host is lost after this long without a lease renewal', wholeArg)
      .option('--fence-timeout <ms>', 'an agent without lease renewal this long hard-stops its HA guests', wholeArg)
      .option('--renew-interval <ms>', 'how often leases are renewed', wholeArg)
      .option('--fence-agent <host=command>', 'external fence agent of a host, exit 0 = powered off (repeatable)', fenceAgentArg)
      .option('--remove-fence-agent <host>', "remove a host's external fence agent"),
  ).action(
    async (
      opts: JsonFlag & {
        failuresToTolerate?: number;
        netTimeout?: number;
        fenceTimeout?: number;
        renewInterval?: number;
        fenceAgent?: Record<string, string[]>;
        removeFenceAgent?: string;
      },
    ) => {
      const timing = {
        ...(opts.netTimeout !== undefined ? { netTimeoutMs: opts.netTimeout } : {}),
        ...(opts.fenceTimeout !== undefined ? { fenceTimeoutMs: opts.fenceTimeout } : {}),
        ...(opts.renewInterval !== undefined ? { renewIntervalMs: opts.renewInterval } : {}),
      };
      const fenceAgents: Record<string, { command: string[] } | null> = {};
      for (const [host, command] of Object.entries(opts.fenceAgent ?? {})) fenceAgents[host] = { command };
      if (opts.removeFenceAgent !== undefined) fenceAgents[opts.removeFenceAgent] = null;
      const body = {
        ...(opts.failuresToTolerate !== undefined ? { failuresToTolerate: opts.failuresToTolerate } : {}),
        ...(Object.keys(timing).length > 0 ? { timing } : {}),
        ...(Object.keys(fenceAgents).length > 0 ? { fenceAgents } : {}),
      };
      await withClient(rt, async (client) => {
        const res = await client.request('PUT', '/ha/settings', body);
        await showStatus(rt, res.body, opts.json, (b) => client.parse(haStatus, b, 'PUT /ha/settings'));
      });
    },
  );
}
