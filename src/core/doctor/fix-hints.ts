// What to do about a failure, from the words a tool printed. Rules as data: each one names the
// missing piece, so a red indicator, a refused placement and `grappe doctor` all say the same fix.

export interface FixHint {
  /** Matched against the tool's error text. */
  readonly pattern: RegExp;
  /** One line an admin can act on. */
  readonly fix: string;
}

export const FIX_HINTS: readonly FixHint[] = [
  // 'protocol' for an iscsi:// URL, 'driver' for options naming driver=iscsi (a CHAP login).
  { pattern: /Unknown (protocol|driver) 'iscsi'/i, fix: "install qemu-block-extra (QEMU's iSCSI driver)" },
  { pattern: /Unknown protocol 'nbd'/i, fix: "install qemu-block-extra (QEMU's block drivers)" },
  { pattern: /qemu-img: (not found|command not found)|spawn qemu-img ENOENT/i, fix: 'install qemu-utils (qemu-img)' },
  { pattern: /spawn qemu-system-x86_64 ENOENT|qemu-system-x86_64: (not found|command not found)/i, fix: 'install qemu-system-x86' },
  { pattern: /spawn lxc-\w+ ENOENT/i, fix: 'install lxc' },
  { pattern: /spawn tgt(d|adm) ENOENT/i, fix: 'install tgt (the userspace iSCSI target)' },
  { pattern: /Unknown device type|Operation not supported/i, fix: 'the kernel lacks this feature (no module for it): use a kernel that has it' },
  { pattern: /ECONNREFUSED|Connection refused/i, fix: 'nothing listens there: start the service, or check the address and port' },
  { pattern: /EHOSTUNREACH|ENETUNREACH|No route to host|Network is unreachable/i, fix: 'no route: check the link, the address and the subnet' },
  { pattern: /ETIMEDOUT|timed out|no iSCSI login within/i, fix: 'no answer in time: check the link, a firewall, or a frozen host' },
  { pattern: /certificate|self[- ]signed|CERT_/i, fix: 'TLS failed: re-enrol the host or check its certificate' },
];

/** The first fix whose pattern matches `errorText`, if any. */
export function fixFor(errorText: string): string | undefined {
  return FIX_HINTS.find((h) => h.pattern.test(errorText))?.fix;
}

/** `text`, followed by " — <fix>" when one is known. */
export function withFix(text: string): string {
  const fix = fixFor(text);
  return fix ? `${text} — ${fix}` : text;
}
