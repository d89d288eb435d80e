// `grappe login` / `grappe logout`: a session token kept in the CLI config.
import type { Command } from 'commander';
import { loginResponse } from '../../contract/auth.contract.ts';
import { urlArg } from '../arg-parsers.ts';
import { CliError, usageError } from '../cli-error.ts';
import { configPath, dataDirOf, DEFAULT_URL, loadConfig, localCaPath, readCaFile, saveConfig } from '../config.ts';
import { ApiClient } from '../http-client.ts';
import type { Runtime } from '../runtime.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';

interface LoginOptions extends JsonFlag {
  url?: string;
  user: string;
  password?: string;
  ca?: string;
}

export function registerLogin(program: Command, rt: Runtime): void {
  withJson(
    program
      .command('login')
      .description('log in to the controller and keep the session in the CLI config')
      .option('--url <url>', 'controller URL (default: the saved one, $GRAPPE_URL, or https://127.0.0.1:8443)', urlArg)
      .option('--user <name>', 'user name', 'admin')
      .option('--password <password>', 'password (asked without echo when omitted on a terminal)')
      .option('--ca <file>', "the cluster CA certificate (the data dir's pki/ca.crt)"),
  ).action(async (opts: LoginOptions) => {
    const path = configPath(rt.env);
    const config = loadConfig(path);
    const url = opts.url ?? (rt.env['GRAPPE_URL'] || config.url || DEFAULT_URL);
    let caCertPem = config.caCertPem ?? readCaFile(localCaPath(dataDirOf(rt.env)));
    if (opts.ca) {
      caCertPem = readCaFile(opts.ca);
      if (!caCertPem) throw usageError(`cannot read a PEM certificate from '${opts.ca}'`);
    }
    const password = opts.password ?? (await askPassword(rt, opts.user));
    const client = new ApiClient({ url, caCertPem });
    try {
      const res = await client.request('POST', '/auth/login', { username: opts.user, password }, { authenticating: true });
      const session = client.parse(loginResponse, res.body, 'POST /auth/login');
      saveConfig(path, { ...config, url: client.baseUrl, caCertPem, token: session.token, username: session.username, expiresAt: session.expiresAt });
      if (opts.json) printJson(rt, res.body);
      else rt.stdout.write(`Logged in to ${client.baseUrl} as ${session.username} (session valid until ${session.expiresAt}).\n`);
    } finally {
      client.close();
    }
  });

  withJson(program.command('logout').description('end the session and forget its token')).action(async (opts: JsonFlag) => {
    const path = configPath(rt.env);
    const { token, expiresAt: _e, ...rest } = loadConfig(path);
    if (token && rest.url) {
      // Best effort: the token is forgotten here even when the controller cannot be told.
      const client = new ApiClient({ url: rest.url, caCertPem: rest.caCertPem, token });
      await client.request('POST', '/auth/logout').catch(() => undefined);
      client.close();
    }
    saveConfig(path, rest);
    if (opts.json) printJson(rt, { loggedOut: true });
    else rt.stdout.write('Logged out.\n');
  });
}

export async function askPassword(rt: Runtime, user: string): Promise<string> {
  if (!rt.interactive) throw usageError('no password given: pass --password (there is no terminal to ask on)');
  const password = await rt.readHidden(`Password for ${user}: `);
  if (!password) throw new CliError('no password entered');
  return password;
}
