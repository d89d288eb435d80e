// The fault scripts the simulator replays, one command a line ('#' starts a comment):
//   power H off|on       cut or restore a host's power (off: every guest on it dies at once)
//   network H off|on     the host's LAN link (its SAN path stays as it is)
//   storage [H] off|on   one host's SAN path, or the shared storage for everyone
//   hang H / resume H    freeze the host's agent (SIGSTOP) / let it run again; its watchdog keeps running
//   controller restart   the controller process restarts and rebuilds HA from its persisted state
//   maintenance H [off]  put a host in maintenance with HA on, or take it out
//   wait D               let time pass: 30s, 500ms, 1.5s, 2m
import { errors } from '../core/errors.ts';

export type SimOp =
  | { readonly op: 'power' | 'network' | 'maintenance'; readonly host: string; readonly on: boolean }
  | { readonly op: 'storage'; readonly host?: string; readonly on: boolean }
  | { readonly op: 'hang'; readonly host: string; readonly hung: boolean }
  | { readonly op: 'controller-restart' }
  | { readonly op: 'wait'; readonly ms: number };

export interface ScriptLine {
  readonly line: number;
  readonly text: string;
  readonly op: SimOp;
}

const USAGE = 'power H on|off, network H on|off, storage [H] on|off, hang H, resume H, controller restart, maintenance H [off], wait D';

export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000);
}

function parseLine(words: readonly string[]): SimOp | string {
  const [cmd, a, b] = words;
  const onOff = (w: string | undefined): boolean | undefined => (w === 'on' ? true : w === 'off' ? false : undefined);
  switch (cmd) {
    case 'power':
    case 'network': {
      const on = onOff(b);
      if (a === undefined || on === undefined || words.length !== 3) return `expected '${cmd} HOST on|off'`;
      return { op: cmd, host: a, on };
    }
    case 'storage': {
      if (words.length === 2 && onOff(a) !== undefined) return { op: 'storage', on: onOff(a) as boolean };
      const on = onOff(b);
      if (a === undefined || on === undefined || words.length !== 3) return "expected 'storage on|off' or 'storage HOST on|off'";
      return { op: 'storage', host: a, on };
    }
    case 'hang':
    case 'resume':
      if (a === undefined || words.length !== 2) return `expected '${cmd} HOST'`;
      return { op: 'hang', host: a, hung: cmd === 'hang' };
    case 'controller':
      if (a !== 'restart' || words.length !== 2) return "expected 'controller restart'";
      return { op: 'controller-restart' };
    case 'maintenance':
      if (a === undefined || (words.length === 3 && b !== 'off' && b !== 'on') || words.length > 3)
        return "expected 'maintenance HOST' or 'maintenance HOST off'";
      return { op: 'maintenance', host: a, on: b !== 'off' };
    case 'wait': {
      const ms = a === undefined ? undefined : parseDuration(a);
      if (ms === undefined || words.length !== 2) return "expected 'wait DURATION' such as 'wait 30s' or 'wait 500ms'";
      return { op: 'wait', ms };
    }
    default:
      return `unknown command '${cmd}' (known: ${USAGE})`;
  }
}

export function parseScript(script: string, hosts: ReadonlySet<string>): ScriptLine[] {
  const out: ScriptLine[] = [];
  script.split('\n').forEach((raw, i) => {
    const text = raw.replace(/#.*/, '').trim();
    if (text === '') return;
    const op = parseLine(text.split(/\s+/));
    if (typeof op === 'string') throw errors.invalidInput(`script line ${i + 1} ('${text}'): ${op}`, { line: i + 1 });
    if ('host' in op && op.host !== undefined && !hosts.has(op.host)) {
      throw errors.invalidInput(`script line ${i + 1} ('${text}'): no host '${op.host}' in the cluster (known: ${[...hosts].join(', ')})`, { line: i + 1 });
    }
    out.push({ line: i + 1, text, op });
  });
  return out;
}
