// `grappe scheduler show|set`: the pool's placement policy and over-commit ratios.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { schedulerSettings, type SchedulerSettings, type SchedulerSettingsUpdate } from '../../contract/scheduler.contract.ts';
import { usageError } from '../cli-error.ts';
import { renderFields } from '../output/table.ts';
import type { Runtime } from '../runtime.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { withClient } from './session.ts';

/** A number such as 4 or 1.5; its range is the controller's to check (it names the field). */
function ratioArg(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value.trim())) throw new InvalidArgumentError(`'${value}' is not a ratio (a number such as 4 or 1.5)`);
  return Number(value);
}

const times = (r: number): string => `${r}×`;

export function renderSchedulerSettings(s: SchedulerSettings): string {
  return renderFields([
    ['Policy', s.policy === 'spread' ? 'spread (the host with the most free capacity after placing)' : 'pack (the fullest host that still fits)'],
    ['CPU over-commit', `${times(s.cpuRatio)} (a host offers its CPU threads × ${s.cpuRatio} vCPUs)`],
    ['Memory over-commit', `${times(s.memoryRatio)} (a host offers its memory × ${s.memoryRatio})`],
  ]);
}

interface SetFlags extends JsonFlag {
  policy?: 'spread' | 'pack';
  cpuRatio?: number;
  memoryRatio?: number;
}

export function buildSchedulerUpdate(f: SetFlags): SchedulerSettingsUpdate {
  const body: SchedulerSettingsUpdate = {
    ...(f.policy === undefined ? {} : { policy: f.policy }),
    ...(f.cpuRatio === undefined ? {} : { cpuRatio: f.cpuRatio }),
    ...(f.memoryRatio === undefined ? {} : { memoryRatio: f.memoryRatio }),
  };
  if (Object.keys(body).length === 0) throw usageError('nothing to set: give --policy, --cpu-ratio or --memory-ratio');
  return body;
}

export function registerScheduler(program: Command, rt: Runtime): void {
  const cmd = program.command('scheduler').description('where new and moving guests go: placement policy and over-commit ratios');

  withJson(cmd.command('show').description('show the placement policy and over-commit ratios')).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const settings = await client.call(schedulerSettings, 'GET', '/scheduler');
      if (opts.json) return printJson(rt, settings);
      rt.stdout.write(renderSchedulerSettings(settings));
    });
  });

  withJson(
    cmd
      .command('set')
      .description('change the placement policy and/or the over-commit ratios (the rest is kept)')
      .addOption(new Option('--policy <policy>', 'spread: most free capacity first; pack: fill the fullest host that fits').choices(['spread', 'pack']))
      .option('--cpu-ratio <ratio>', 'vCPUs offered per CPU thread (above 0, at most 64)', ratioArg)
      .option('--memory-ratio <ratio>', 'memory offered per MiB of RAM (above 0, at most 64; 1 = no over-commit)', ratioArg),
  ).action(async (opts: SetFlags) => {
    const body = buildSchedulerUpdate(opts);
    await withClient(rt, async (client) => {
      const settings = await client.call(schedulerSettings, 'PUT', '/scheduler', body);
      if (opts.json) return printJson(rt, settings);
      rt.stdout.write(`Scheduler settings saved.\n${renderSchedulerSettings(settings)}`);
    });
  });
}
