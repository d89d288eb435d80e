// The qemu-nbd command line that exports an iSCSI LUN (through QEMU's own iSCSI client) as NBD on a
// unix socket. Pure.
export const QEMU_NBD_BINARY = 'qemu-nbd';
export const HB_EXPORT_NAME = 'hb';
export const DEFAULT_ISCSI_PORT = 3260;

export interface IscsiTarget {
  portal: string;
  target: string;
  lun: number;
}

/** iscsi://HOST[:PORT]/IQN/LUN → its parts; undefined when it is not such a URL. */
export function parseIscsiUrl(url: string): IscsiTarget | undefined {
  const m = /^iscsi:\/\/([0-9A-Za-z.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?\/(iqn\.[^/\s]+)\/(\d+)$/.exec(url);
  if (!m) return undefined;
  const port = m[2] === undefined ? DEFAULT_ISCSI_PORT : Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { portal: `${m[1]}:${port}`, target: m[3] as string, lun: Number(m[4]) };
}

/** Our own initiator name per host, so the target tells this session from the host's guests'. */
export const haInitiatorName = (hostId: number): string => `iqn.2026-11.org.grappe:ha-host-${hostId}`;

export function qemuNbdArgs(t: IscsiTarget, socketPath: string, pidFile: string, initiatorName: string): string[] {
  const image = {
    driver: 'raw',
    file: { driver: 'iscsi', transport: 'tcp', portal: t.portal, target: t.target, lun: t.lun, 'initiator-name': initiatorName },
  };
  return [
    '--persistent',
    '--shared=2',
    '--cache=none',
    '--socket',
    socketPath,
    '--export-name',
    HB_EXPORT_NAME,
    '--pid-file',
    pidFile,
    `json:${JSON.stringify(image)}`,
  ];
}

/** Our qemu-nbd for that socket (pids get reused: the command line must still match). */
export const isOurQemuNbd = (argv: string[], socketPath: string): boolean => argv[0]?.endsWith(QEMU_NBD_BINARY) === true && argv.includes(socketPath);
