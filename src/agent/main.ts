// Entry point of the agent ("connector"):
//   node grappe-agent.mjs --data-dir DIR [--port 4433] [--listen 0.0.0.0] [--bundle-path FILE] [--tgt-control-port N] [--qemu-user NAME]
//   node grappe-agent.mjs --watchdog DIR   (the HA watchdog process; the agent starts it itself)
//   node grappe-agent.mjs --doctor [DIR…]  (prints this machine's doctor checks as JSON: `grappe doctor --local`)
import { realpathSync } from 'node:fs';
import { doctorDirsArg, parseAgentArgs, watchdogDirArg } from './agent-args.ts';
import { hostChecks } from './doctor/host-checks.ts';
import { AgentServer } from './agent-server.ts';
import { AgentStore } from './agent-store.ts';
import { GuestRuntime } from './guest-runtime.ts';
import { resolveQemuUser } from './drivers/qemu-user.ts';
import { runWatchdog } from './ha/watchdog-process.ts';
import { createLogger } from './logger.ts';
import { AGENT_VERSION, RUNNING_FROM_BUNDLE } from './version.ts';

const log = createLogger();

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const watchdogDir = watchdogDirArg(argv);
  if (watchdogDir !== undefined) return runWatchdog(watchdogDir);
  const doctorDirs = doctorDirsArg(argv);
  if (doctorDirs !== undefined) {
    process.stdout.write(`${JSON.stringify({ checks: await hostChecks(doctorDirs) })}\n`);
    return;
  }
  let args;
  let qemuUser;
  try {
    args = parseAgentArgs(argv);
    qemuUser = await resolveQemuUser(args.qemuUser);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  // Updates replace the running bundle; from source there is nothing safe to replace.
  const bundlePath = args.bundlePath ?? (RUNNING_FROM_BUNDLE && process.argv[1] ? realpathSync(process.argv[1]) : undefined);
  if (qemuUser.warning) log.warn(qemuUser.warning);
  const guests = new GuestRuntime({
    dataDir: args.dataDir,
    qemuUser: qemuUser.runAs,
    ...(args.tgtControlPort === undefined ? {} : { tgtControlPort: args.tgtControlPort }),
  });
  const server = new AgentServer({ store: new AgentStore(args.dataDir), log, bundlePath, args: argv, guests });
  const port = await server.start(args.listen, args.port);
  await guests.ha.start(log);
  log.info('agent listening', {
    version: AGENT_VERSION,
    address: args.listen,
    port,
    pid: process.pid,
    enrolled: server.enrollment() !== undefined,
    dataDir: args.dataDir,
    qemuUser: qemuUser.runAs ?? 'root',
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    void server.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

process.on('unhandledRejection', (e) => log.error('unhandled rejection', { error: e instanceof Error ? e.message : String(e) }));
main().catch((e: unknown) => {
  log.error('agent failed to start', { error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
