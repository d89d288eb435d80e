// `grappe simulate fail HOST [HOST…]`: what HA would do if those hosts failed now, played by the
// HA simulator on a copy of the live pool. Nothing changes.
import type { Command } from 'commander';
import { haSimulateResponse, type HaSimulateResponse } from '../../contract/ha.contract.ts';
import { paint } from '../output/ansi.ts';
import type { Runtime } from '../runtime.ts';
import { positiveIntArg } from '../arg-parsers.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { withClient } from './session.ts';

export function renderSimulation(r: HaSimulateResponse, color: boolean): string {
  const lines = r.lines.map((l) => (/ (ALERT|BROKEN) /.test(l) ? paint(color, 'red', l) : l));
  const where = Object.entries(r.running)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([g, on]) => `${g} on ${on.join(', ')}`);
  const verdict =
    r.violations.length === 0
      ? 'No guest ran on two hosts, and none started before its host was known fenced.'
      : paint(color, 'red', `INVARIANTS BROKEN: ${r.violations.join('; ')}`);
  return [
    `Simulated failure of ${r.failHosts.join(', ')} (nothing was changed):`,
    ...lines,
    '',
    `At the end: ${where.length > 0 ? where.join('; ') : 'no HA guest running'}.`,
    verdict,
    '',
  ].join('\n');
}

export function registerSimulate(program: Command, rt: Runtime): void {
  const cmd = program.command('simulate').description('what-if: replay failures on a copy of the live pool with the HA engine');
  withJson(
    cmd
      .command('fail')
      .description('power the hosts off in the simulator and print what HA would do')
      .argument('<hosts...>', 'host names or ids')
      .option('--seconds <n>', 'simulated time after the failure', positiveIntArg, 30),
  ).action(async (hosts: string[], opts: JsonFlag & { seconds: number }) => {
    await withClient(rt, async (client) => {
      const res = await client.request('POST', '/ha/simulate', { failHosts: hosts, seconds: opts.seconds });
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderSimulation(client.parse(haSimulateResponse, res.body, 'POST /ha/simulate'), rt.color));
    });
  });
}
