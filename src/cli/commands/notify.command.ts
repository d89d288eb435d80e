// `grappe notify target|rule …`: where notifications go (signed webhooks, mail through an SMTP relay)
// and which kinds of events go there.
import { Option, type Command } from 'commander';
import { NOTIFY_KINDS, ruleView, targetView, type TargetConfig } from '../../contract/notify.contract.ts';
import { portArg, urlArg } from '../arg-parsers.ts';
import { usageError } from '../cli-error.ts';
import { renderRuleList, renderTargetList } from '../output/notify-views.ts';
import type { Runtime } from '../runtime.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';
import { parseList, withClient } from './session.ts';

interface TargetFlags {
  webhook?: string;
  secret?: string;
  smtp?: string;
  port: number;
  security: 'none' | 'starttls' | 'tls';
  from?: string;
  to?: string;
  user?: string;
  password?: string;
}

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** The target the flags describe: exactly one of --webhook and --smtp, with what each needs. */
export function targetFromFlags(f: TargetFlags): TargetConfig {
  if ((f.webhook === undefined) === (f.smtp === undefined)) throw usageError('give exactly one of --webhook <url> and --smtp <host>');
  if (f.webhook !== undefined) {
    if (!f.secret) throw usageError('a webhook needs --secret <text> (at least 16 characters): it signs each delivery');
    return { type: 'webhook', url: f.webhook, secret: f.secret };
  }
  if (!f.from || !f.to) throw usageError('an SMTP target needs --from <address> and --to <address[,address…]>');
  return {
    type: 'smtp',
    host: f.smtp!,
    port: f.port,
    security: f.security,
    from: f.from,
    to: list(f.to),
    ...(f.user ? { username: f.user } : {}),
    ...(f.password ? { password: f.password } : {}),
  };
}

export function registerNotify(program: Command, rt: Runtime): void {
  const notify = program.command('notify').description('notifications: targets (webhook, SMTP) and rules (which events go where)');
  const target = notify.command('target').description('where notifications are sent');
  withJson(
    target
      .command('add')
      .description('add a target: a webhook (POST, signed X-Grappe-Signature: sha256=HMAC) or an SMTP relay')
      .argument('<name>', 'target name (lower case, digits, dashes)')
      .option('--webhook <url>', 'the URL to POST each notification to', urlArg)
      .option('--secret <text>', 'the webhook signing secret (at least 16 characters)')
      .option('--smtp <host>', 'the SMTP relay')
      .option('--port <port>', 'the relay port', portArg, 587)
      .addOption(
        new Option('--security <mode>', 'none (plain), starttls (required), tls (from the start, 465)')
          .choices(['none', 'starttls', 'tls'])
          .default('starttls'),
      )
      .option('--from <address>', 'sender address')
      .option('--to <addresses>', 'recipients, comma-separated')
      .option('--user <name>', 'SMTP login')
      .option('--password <password>', 'SMTP password'),
  ).action(async (name: string, opts: JsonFlag & TargetFlags) => {
    const config = targetFromFlags(opts);
    await withClient(rt, async (client) => {
      const res = await client.request('POST', '/notify/targets', { name, target: config });
      const view = client.parse(targetView, res.body, 'POST /notify/targets');
      if (opts.json) return printJson(rt, view);
      rt.stdout.write(`target '${view.name}' added: ${view.destination}\nsend a test with: grappe notify target test ${view.name}\n`);
    });
  });
  withJson(target.command('list').description('list the targets and their last delivery')).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', '/notify/targets');
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderTargetList(parseList(client, targetView, res.body, 'targets', 'GET /notify/targets'), rt.color));
    });
  });
  target
    .command('test')
    .description('send a test notification now and say how it went (with the usual retries)')
    .argument('<name>', 'target name')
    .action(async (name: string) => {
      await withClient(rt, async (client) => {
        const res = await client.request('POST', `/notify/targets/${encodeURIComponent(name)}/test`);
        const d = (res.body as { delivery: { attempts: number; detail: string } }).delivery;
        rt.stdout.write(`test notification delivered to '${name}' (${d.attempts} attempt${d.attempts === 1 ? '' : 's'}: ${d.detail})\n`);
      });
    });
  target
    .command('delete')
    .description('delete a target (refused while a rule sends to it)')
    .argument('<name>', 'target name')
    .action(async (name: string) => {
      await withClient(rt, async (client) => {
        await client.request('DELETE', `/notify/targets/${encodeURIComponent(name)}`);
        rt.stdout.write(`target '${name}' deleted\n`);
      });
    });

  const rule = notify.command('rule').description('which kinds of events go to which targets');
  withJson(
    rule
      .command('add')
      .description(`add a rule; kinds: ${NOTIFY_KINDS.map((k) => k.kind).join(', ')} (see \`grappe notify kinds\`)`)
      .argument('<name>', 'rule name')
      .requiredOption('--kinds <kinds>', 'event kinds, comma-separated')
      .requiredOption('--targets <targets>', 'target names, comma-separated')
      .addOption(new Option('--min-severity <severity>', 'ignore events below this severity').choices(['info', 'warning', 'error']).default('info')),
  ).action(async (name: string, opts: JsonFlag & { kinds: string; targets: string; minSeverity: string }) => {
    await withClient(rt, async (client) => {
      const res = await client.request('POST', '/notify/rules', { name, kinds: list(opts.kinds), targets: list(opts.targets), minSeverity: opts.minSeverity });
      const view = client.parse(ruleView, res.body, 'POST /notify/rules');
      if (opts.json) return printJson(rt, view);
      rt.stdout.write(`rule '${view.name}' added: ${view.kinds.join(', ')} → ${view.targets.join(', ')}\n`);
    });
  });
  withJson(rule.command('list').description('list the rules')).action(async (opts: JsonFlag) => {
    await withClient(rt, async (client) => {
      const res = await client.request('GET', '/notify/rules');
      if (opts.json) return printJson(rt, res.body);
      rt.stdout.write(renderRuleList(parseList(client, ruleView, res.body, 'rules', 'GET /notify/rules')));
    });
  });
  rule
    .command('delete')
    .description('delete a rule')
    .argument('<name>', 'rule name')
    .action(async (name: string) => {
      await withClient(rt, async (client) => {
        await client.request('DELETE', `/notify/rules/${encodeURIComponent(name)}`);
        rt.stdout.write(`rule '${name}' deleted\n`);
      });
    });
  notify
    .command('kinds')
    .description('the event kinds a rule may name, and what each means')
    .action(() => {
      for (const k of NOTIFY_KINDS) rt.stdout.write(`${k.kind.padEnd(20)} ${k.what}\n`);
    });
}
