// `grappe controller start`: the controller in the foreground until SIGINT/SIGTERM.
import { Option, type Command } from 'commander';
import { listenPortArg } from '../arg-parsers.ts';
import { dataDirOf } from '../config.ts';
import type { Runtime } from '../runtime.ts';
import { printJson, withJson, type JsonFlag } from './output.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

interface StartOptions extends JsonFlag {
  dataDir?: string;
  listen?: string;
  port?: number;
  logLevel?: string;
}

export function registerController(program: Command, rt: Runtime): void {
  const controller = program.command('controller').description('run the Grappe controller');
  withJson(
    controller
      .command('start')
      .description('run the controller in the foreground (stops on Ctrl+C or SIGTERM)')
      .option('--data-dir <dir>', 'the cluster data dir made by `grappe init` (default $GRAPPE_DATA_DIR or /var/lib/grappe)')
      .option('--listen <address>', 'address to listen on')
      .option('--port <port>', 'HTTPS port (0: any free port); default 8443', listenPortArg)
      .addOption(new Option('--log-level <level>', 'log level of the JSON log on stdout').choices(LOG_LEVELS)),
  ).action(async (opts: StartOptions) => {
    const { startController } = await import('../../controller/main.ts');
    const dataDir = dataDirOf(rt.env, opts.dataDir);
    const running = await startController({
      dataDir,
      ...(opts.listen ? { host: opts.listen } : {}),
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
    });
    if (opts.json) printJson(rt, { url: running.url, dataDir });
    else rt.stdout.write(`Grappe controller listening on ${running.url} (data dir ${dataDir})\n`);
    const signal = await new Promise<string>((resolve) => {
      const off = rt.onStopSignal((s) => {
        off();
        resolve(s);
      });
    });
    rt.stderr.write(`${signal}: stopping the controller…\n`);
    await running.close();
    rt.stderr.write('controller stopped\n');
  });
}
