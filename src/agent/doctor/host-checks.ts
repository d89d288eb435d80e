// The host side of `grappe doctor`: real probes of what this machine can do, judged by the pure rules
// of src/core/doctor/. Each probe tries the thing itself (QEMU opens an iscsi:// URL, a throwaway
// tgtd answers tgtadm, a link of each kind is made in a throwaway network namespace) rather than
// looking for files, so a missing package or kernel feature shows as what it breaks.
import { statfs } from 'node:fs/promises';
import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { KERNEL_FEATURES, diskCheck, kernelFeatureCheck, nodeVersionCheck, notOk, ok, type CheckResult } from '../../contract/shared-rules.ts';
import { runCommand } from '../../process/run-command.ts';
import { DEFAULT_QEMU_USER, userExists } from '../drivers/qemu-user.ts';

/** Programs the agent runs, the Debian package of each, and whether a host can do without it. */
export const REQUIRED_PROGRAMS = [
  { program: 'qemu-system-x86_64', args: ['--version'], pkg: 'qemu-system-x86', what: 'runs VMs' },
  { program: 'qemu-img', args: ['--version'], pkg: 'qemu-utils', what: 'makes and inspects volumes' },
  { program: 'qemu-nbd', args: ['--version'], pkg: 'qemu-utils', what: 'HA storage heartbeats' },
  { program: 'lxc-start', args: ['--version'], pkg: 'lxc', what: 'runs containers' },
  { program: 'tgtadm', args: ['--help'], pkg: 'tgt', what: 'exports volumes over iSCSI' },
  { program: 'busybox', args: ['true'], pkg: 'busybox-static', what: 'the tiny image and container template' },
  { program: 'ip', args: ['-V'], pkg: 'iproute2', what: 'NICs, bridges and guest networks' },
] as const;

// A URL on loopback's discard port: with the driver QEMU fails to connect; without it, it does not
// know the protocol. No traffic leaves the machine.
const ISCSI_PROBE_URL = 'iscsi://127.0.0.1:9/iqn.2026-11.org.grappe:doctor/1';

export async function programChecks(): Promise<CheckResult[]> {
  return Promise.all(
    REQUIRED_PROGRAMS.map(async (p) => {
      const r = await runCommand(p.program, [...p.args], 10_000);
      const name = `program: ${p.program}`;
      if (r.ok) return ok(name, (r.stdout.split('\n')[0] ?? '').trim() || 'present');
      if (r.code === null && /command not found/.test(r.error ?? ''))
        return notOk('fail', name, `not installed: needed because it ${p.what}`, `apt-get install ${p.pkg}`);
      return ok(name, 'present'); // it ran (some print their usage with a non-zero exit)
    }),
  );
}

export async function qemuIscsiCheck(): Promise<CheckResult> {
  const name = 'qemu: iSCSI driver';
  const r = await runCommand('qemu-img', ['info', ISCSI_PROBE_URL], 10_000);
  const text = [r.stderr, r.error ?? ''].join('\n');
  if (/Unknown protocol 'iscsi'/.test(text)) return notOk('fail', name, `QEMU cannot open iscsi:// URLs: Unknown protocol 'iscsi'`);
  if (/command not found/.test(text)) return notOk('fail', name, 'qemu-img is not installed', 'apt-get install qemu-utils qemu-block-extra');
  return ok(name, 'QEMU opens iscsi:// URLs (its built-in iSCSI client)');
}

export async function qemuUserCheck(): Promise<CheckResult> {
  const name = 'qemu: unprivileged user';
  if (await userExists(DEFAULT_QEMU_USER)) return ok(name, `VMs' QEMU drops to user ${DEFAULT_QEMU_USER} once set up`);
  return notOk(
    'warn',
    name,
    `no user ${DEFAULT_QEMU_USER}: VMs' QEMU runs as root`,
    `useradd --system --no-create-home --shell /usr/sbin/nologin ${DEFAULT_QEMU_USER}`,
  );
}

const freeTcpPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });

/**
 * Starts a throwaway tgtd on loopback with its own control channel, asks it for its targets, stops it.
 * The answer must come from that tgtd (still running): a channel another tgtd already holds is
 * retried on another number.
 */
export async function tgtdAnswersCheck(): Promise<CheckResult> {
  const name = 'tgt: target daemon answers';
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeTcpPort();
    const control = 20_000 + (port % 10_000); // tgtd's management channel number (1..32767)
    const tgtd = spawn('tgtd', ['-f', '-C', String(control), '--iscsi', `portal=127.0.0.1:${port}`], { stdio: 'ignore' });
    const spawned = await new Promise<string | undefined>((resolve) => {
      tgtd.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ENOENT' ? 'tgtd: command not found' : e.message));
      tgtd.once('spawn', () => resolve(undefined));
    });
    if (spawned !== undefined) return notOk('fail', name, spawned, 'apt-get install tgt');
    try {
      for (let i = 0; i < 30 && tgtd.exitCode === null; i++) {
        const r = await runCommand('tgtadm', ['-C', String(control), '--lld', 'iscsi', '--op', 'show', '--mode', 'target'], 5_000);
        if (r.ok && tgtd.exitCode === null) return ok(name, `tgtd started and answered tgtadm (control channel ${control})`);
        last = r.error ?? 'no answer';
        await new Promise((res) => setTimeout(res, 100));
      }
      if (tgtd.exitCode === null) return notOk('fail', name, `tgtd did not answer tgtadm within 3 s: ${last}`);
      last = `tgtd exited with code ${tgtd.exitCode}: ${last}`;
    } finally {
      tgtd.kill('SIGKILL');
    }
  }
  return notOk('fail', name, last);
}

/** The `ip link add` arguments that make one link of the feature's kind (inside a throwaway namespace). */
const LINK_RECIPES: Record<(typeof KERNEL_FEATURES)[number]['feature'], string> = {
  bridge: 'ip link add gdoc0 type bridge',
  veth: 'ip link add gdoc0 type veth peer name gdoc1',
  vxlan: 'ip link add gdoc0 type vxlan id 42 dstport 4789 local 127.0.0.1',
  macvlan: 'ip link add gdoc1 type bridge && ip link add gdoc0 link gdoc1 type macvlan mode bridge',
  bonding: 'ip link add gdoc0 type bond',
  '802.1q': 'ip link add gdoc1 type bridge && ip link add gdoc0 link gdoc1 type vlan id 42',
};

/** Makes a link of each kind in a network namespace of its own, which vanishes with the command. */
export async function kernelFeatureChecks(): Promise<CheckResult[]> {
  return Promise.all(
    KERNEL_FEATURES.map(async (k) => {
      const r = await runCommand('unshare', ['--net', 'sh', '-c', LINK_RECIPES[k.feature]], 10_000);
      return kernelFeatureCheck(k.feature, r.ok ? undefined : (r.error ?? 'failed').split('\n')[0]);
    }),
  );
}

export async function diskChecks(dirs: readonly string[]): Promise<CheckResult[]> {
  return Promise.all(
    dirs.map(async (dir) => {
      try {
        const s = await statfs(dir);
        return diskCheck(dir, s.bavail * s.bsize, s.blocks * s.bsize);
      } catch (e) {
        return notOk('fail', `disk: ${dir}`, `cannot read the file system: ${(e as Error).message}`, `create ${dir} or fix its permissions`);
      }
    }),
  );
}

/** Everything a host is checked for, the same whether the agent or `grappe doctor --local` asks. */
export async function hostChecks(dataDirs: readonly string[]): Promise<CheckResult[]> {
  const [programs, iscsi, qemuUser, tgt, kernel, disks] = await Promise.all([
    programChecks(),
    qemuIscsiCheck(),
    qemuUserCheck(),
    tgtdAnswersCheck(),
    kernelFeatureChecks(),
    diskChecks(dataDirs),
  ]);
  return [nodeVersionCheck(process.version), ...programs, iscsi, qemuUser, tgt, ...kernel, ...disks];
}
