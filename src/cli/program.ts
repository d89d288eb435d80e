// The `grappe` command tree. Built around a Runtime so tests can run it with fake terminals.
import { Command } from 'commander';
import { registerAudit } from './commands/audit.command.ts';
import { registerMetrics } from './commands/metrics.command.ts';
import { registerNotify } from './commands/notify.command.ts';
import { registerLogs } from './commands/logs.command.ts';
import { registerAccess } from './commands/access.command.ts';
import { registerConsole } from './commands/console.command.ts';
import { registerController } from './commands/controller.command.ts';
import { registerEvents } from './commands/events.command.ts';
import { registerGuest } from './commands/guest.command.ts';
import { registerHost } from './commands/host.command.ts';
import { registerImage } from './commands/image.command.ts';
import { registerNetwork } from './commands/network.command.ts';
import { registerVolume } from './commands/volume.command.ts';
import { registerInit } from './commands/init.command.ts';
import { registerLogin } from './commands/login.command.ts';
import { registerSubnet } from './commands/subnet.command.ts';
import { registerScheduler } from './commands/scheduler.command.ts';
import { registerTask } from './commands/task.command.ts';
import { registerHa } from './commands/ha.command.ts';
import { registerSimulate } from './commands/simulate.command.ts';
import { registerDoctor } from './commands/doctor.command.ts';
import { registerErrors } from './commands/errors.command.ts';
import { registerCluster } from './commands/cluster.command.ts';
import type { Runtime } from './runtime.ts';
import { cliVersion } from './version.ts';

export function buildProgram(rt: Runtime): Command {
  const program = new Command('grappe')
    .description('Grappe: a virtualization cluster manager')
    .version(cliVersion(), '-V, --version')
    // Errors come back to runCli as exceptions, so the exit code is chosen in one place.
    .exitOverride()
    .configureOutput({ writeOut: (s) => rt.stdout.write(s), writeErr: (s) => rt.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true);
  registerInit(program, rt);
  registerController(program, rt);
  registerCluster(program, rt);
  registerLogin(program, rt);
  registerHost(program, rt);
  registerSubnet(program, rt);
  registerGuest(program, rt);
  registerConsole(program, rt);
  registerImage(program, rt);
  registerVolume(program, rt);
  registerNetwork(program, rt);
  registerTask(program, rt);
  registerAudit(program, rt);
  registerMetrics(program, rt);
  registerNotify(program, rt);
  registerLogs(program, rt);
  registerAccess(program, rt);
  registerEvents(program, rt);
  registerHa(program, rt);
  registerSimulate(program, rt);
  registerScheduler(program, rt);
  registerDoctor(program, rt);
  registerErrors(program, rt);
  return program;
}
