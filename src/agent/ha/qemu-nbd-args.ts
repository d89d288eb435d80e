// The qemu-nbd command line that exports an iSCSI LUN (through QEMU's own iSCSI client) as NBD on a
// unix socket. Pure.
import { iscsiNode, secretObject, type IscsiTarget } from '../drivers/iscsi-client.ts';

export const QEMU_NBD_BINARY = 'qemu-nbd';
export const HB_EXPORT_NAME = 'hb';
const CHAP_SECRET_ID = 'hb-chap';

/** Our own initiator name per host, so the target tells this session from the host's guests'. */
export const haInitiatorName = (hostId: number): string => `iqn.2026-11.org.grappe:ha-host-${hostId}`;

export interface NbdExportArgs {
  readonly target: IscsiTarget;
  readonly socketPath: string;
  readonly pidFile: string;
  readonly initiatorName: string;
  /** CHAP: the target's user, and the 0600 file holding its secret. */
  readonly chap?: { readonly user: string; readonly secretFile: string } | undefined;
}

export function qemuNbdArgs(a: NbdExportArgs): string[] {
  const login = a.chap ? { user: a.chap.user, secretId: CHAP_SECRET_ID } : undefined;
  const image = { driver: 'raw', file: iscsiNode(a.target, login, a.initiatorName) };
  return [
    ...(a.chap ? ['--object', secretObject(CHAP_SECRET_ID, a.chap.secretFile)] : []),
    '--persistent',
    '--shared=2',
    '--cache=none',
    '--socket',
    a.socketPath,
    '--export-name',
    HB_EXPORT_NAME,
    '--pid-file',
    a.pidFile,
    `json:${JSON.stringify(image)}`,
  ];
}

/** Our qemu-nbd for that socket (pids get reused: the command line must still match). */
export const isOurQemuNbd = (argv: string[], socketPath: string): boolean => argv[0]?.endsWith(QEMU_NBD_BINARY) === true && argv.includes(socketPath);
