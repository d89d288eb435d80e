// LXC container configuration as text, and `lxc-info` output as data. Pure.

export type CgroupVersion = 'v1' | 'v2';

export interface ContainerLimits {
  memoryMiB: number;
  /** CPU share as a number of CPUs (0.5 = half a CPU), enforced as a CFS quota. */
  cpus: number;
}

export interface ContainerConfigInput extends ContainerLimits {
  uts: string;
  rootfs: string;
  bridge: string;
  consoleLog: string;
}

const CFS_PERIOD_US = 100_000;
// Keys this driver owns: any template line setting them is dropped before ours are appended.
const OWNED_KEYS = [/^lxc\.net\.0\.link\b/, /^lxc\.cgroup2?\./, /^lxc\.console\.logfile\b/, /^lxc\.uts\.name\b/];

export function limitLines(limits: ContainerLimits, version: CgroupVersion): string[] {
  const bytes = limits.memoryMiB * 1024 * 1024;
  const quota = Math.max(1000, Math.round(limits.cpus * CFS_PERIOD_US));
  return version === 'v1'
    ? [`lxc.cgroup.memory.limit_in_bytes = ${bytes}`, `lxc.cgroup.cpu.cfs_period_us = ${CFS_PERIOD_US}`, `lxc.cgroup.cpu.cfs_quota_us = ${quota}`]
    : [`lxc.cgroup2.memory.max = ${bytes}`, `lxc.cgroup2.cpu.max = ${quota} ${CFS_PERIOD_US}`];
}

/** The lines Grappe sets on every container, whatever template made it. */
export function grappeLines(c: ContainerConfigInput, version: CgroupVersion): string[] {
  return ['# Set by grappe', `lxc.uts.name = ${c.uts}`, `lxc.net.0.link = ${c.bridge}`, `lxc.console.logfile = ${c.consoleLog}`, ...limitLines(c, version)];
}

/** A template's config with the keys we own removed and ours appended. */
export function rewriteConfig(templateConfig: string, c: ContainerConfigInput, version: CgroupVersion): string {
  const kept = templateConfig.split('\n').filter((l) => !OWNED_KEYS.some((k) => k.test(l.trim())));
  while (kept.length > 0 && kept.at(-1)!.trim() === '') kept.pop();
  return [...kept, '', ...grappeLines(c, version), ''].join('\n');
}

/** The whole config of a container made from a rootfs archive (no template script ran). */
export function rootfsConfig(c: ContainerConfigInput, version: CgroupVersion): string {
  return rewriteConfig(
    [
      `lxc.rootfs.path = dir:${c.rootfs}`,
      'lxc.net.0.type = veth',
      'lxc.net.0.flags = up',
      'lxc.autodev = 1',
      'lxc.tty.max = 1',
      'lxc.pty.max = 1',
      'lxc.cap.drop = sys_module mac_admin mac_override sys_time',
      'lxc.mount.auto = cgroup:mixed proc:mixed sys:ro',
      'lxc.init.cmd = /sbin/init',
      // The tiny template's init is a shell script that traps SIGTERM (LXC's default is SIGPWR).
      'lxc.signal.halt = SIGTERM',
    ].join('\n'),
    c,
    version,
  );
}

export type LxcState = 'STOPPED' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'ABORTING' | 'FREEZING' | 'FROZEN' | 'THAWED';

/** `lxc-info -s -p` output: "State: RUNNING", "PID: 123". */
export function parseLxcInfo(text: string): { state?: LxcState; pid?: number } {
  const state = /^State:\s*(\S+)/m.exec(text)?.[1] as LxcState | undefined;
  const pid = Number(/^PID:\s*(\d+)/m.exec(text)?.[1]);
  return { ...(state ? { state } : {}), ...(Number.isInteger(pid) && pid > 0 ? { pid } : {}) };
}
