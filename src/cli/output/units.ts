// Small number formats shared by the views.

/** Memory in MiB as a short size: 512M, 7.6G, 1.5T. */
export function formatMiB(mib: number): string {
  if (mib <= 0) return '0';
  if (mib < 1024) return `${Math.round(mib)}M`;
  const gib = mib / 1024;
  if (gib < 1024) return `${trimZero(gib.toFixed(1))}G`;
  return `${trimZero((gib / 1024).toFixed(1))}T`;
}

const trimZero = (s: string): string => s.replace(/\.0$/, '');

/** `alloc/total`, with the total shown as `-` when not known yet (no inventory). */
export const allocOf = (allocated: string, total: string, known: boolean): string => (known ? `${allocated}/${total}` : '-');

export const percent = (fraction: number): string => `${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)}%`;
