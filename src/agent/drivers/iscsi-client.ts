// How QEMU's built-in iSCSI client is told to open a LUN, with or without CHAP. Pure: one shape for
// every user of it (a VM's -drive, qemu-img's login check, the HA heartbeat's qemu-nbd). The CHAP
// secret never goes on a command line: QEMU reads it from a 0600 file through a `secret` object.

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

/** What a CHAP login needs: the user, and the id of the `secret` object holding the password. */
export interface ChapLogin {
  readonly user: string;
  readonly secretId: string;
}

/** The iscsi block node's options (QEMU's blockdev schema for driver=iscsi). */
export function iscsiNode(t: IscsiTarget, login?: ChapLogin, initiatorName?: string): Record<string, string | number> {
  return {
    driver: 'iscsi',
    transport: 'tcp',
    portal: t.portal,
    target: t.target,
    lun: t.lun,
    ...(login ? { user: login.user, 'password-secret': login.secretId } : {}),
    ...(initiatorName ? { 'initiator-name': initiatorName } : {}),
  };
}

// QEMU option values use ',' as separator: a literal comma is written twice.
export const optValue = (v: string): string => v.replaceAll(',', ',,');

/** `prefix.key=value,…` for a -drive or --image-opts string. */
export const dottedOptions = (prefix: string, options: Record<string, string | number>): string =>
  Object.entries(options)
    .map(([k, v]) => `${prefix}${k}=${optValue(String(v))}`)
    .join(',');

/** The `-object` value that makes `secretFile`'s content available to QEMU as `secretId`. */
export const secretObject = (secretId: string, secretFile: string): string => `secret,id=${secretId},file=${optValue(secretFile)}`;
