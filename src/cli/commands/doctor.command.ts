// `grappe doctor [--local] [--json]`: checks the controller and, through the agents, every host
// (packages and capabilities, kernel features, clock skew, certificates, disk, tgt, the store), or
// with --local only this machine (no controller needed: what install.sh runs). Exit 1 on any FAIL.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { doctorReport, localDoctorReport, type DoctorCheckView } from '../../contract/doctor.contract.ts';
import { defaultAgentBundlePath, repoRoot } from '../../controller/platform/repo-paths.ts';
import { CliError } from '../cli-error.ts';
import { doctorSummary, renderDoctor } from '../output/doctor-view.ts';
import type { Runtime } from '../runtime.ts';
import { printJson } from './output.ts';
import { withClient } from './session.ts';

interface DoctorFlags {
  local?: boolean;
  json?: boolean;
  dir: string[];
}

/** Runs the agent's own checks on this machine (`grappe-agent --doctor`), from its bundle or from source. */
function localChecks(dirs: readonly string[]): Promise<DoctorCheckView[]> {
  const bundle = defaultAgentBundlePath();
  const entry = existsSync(bundle) ? [bundle] : ['--import', 'tsx', join(repoRoot(), 'src', 'agent', 'main.ts')];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...entry, '--doctor', ...dirs], { cwd: repoRoot(), timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new CliError(`doctor: the local checks could not run: ${stderr.trim() || err.message}`));
      try {
        resolve(localDoctorReport.parse(JSON.parse(stdout)).checks.map((c) => ({ scope: 'local', ...c })));
      } catch (e) {
        reject(new CliError(`doctor: the local checks answered something unreadable: ${(e as Error).message}`));
      }
    });
  });
}

export function registerDoctor(program: Command, rt: Runtime): void {
  program
    .command('doctor')
    .description('check the controller and every host (or --local: this machine) and say how to fix what fails')
    .option('--local', 'check only this machine, without a controller (packages, QEMU iSCSI driver, tgtd, kernel features, disk)')
    .option('--dir <path>', 'with --local: a data directory whose free disk to check (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--json', 'print the raw JSON answer')
    .action(async (opts: DoctorFlags) => {
      const checks = opts.local
        ? await localChecks(opts.dir.length > 0 ? opts.dir : ['/var/lib'])
        : await withClient(rt, async (client) => (await client.call(doctorReport, 'GET', '/doctor')).checks);
      if (opts.json) printJson(rt, { checks });
      else rt.stdout.write(renderDoctor(checks, rt.color));
      const failed = checks.filter((c) => c.status === 'fail');
      if (failed.length > 0) throw new CliError(`${doctorSummary(checks)}: ${failed.map((c) => `${c.scope}/${c.name}`).join(', ')}`);
    });
}
