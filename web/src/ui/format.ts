// Pure formatting for the hosts views (no DOM): numbers, memory, dates, indicator wording.
import type { Indicator } from '../../../src/contract/common.ts';

export function formatMiB(mib: number): string {
  if (mib >= 1024 * 1024) return `${(mib / 1024 / 1024).toFixed(1)} TiB`;
  if (mib >= 1024) return `${(mib / 1024).toFixed(1)} GiB`;
  return `${Math.round(mib)} MiB`;
}

export const formatAllocation = (allocated: number, total: number, unit: (n: number) => string = String): string => `${unit(allocated)} / ${unit(total)}`;

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

const INDICATOR_WORDS: Record<Indicator, string> = { green: 'OK', red: 'failing', 'n/a': 'not applicable' };

/** The tooltip of a status circle, e.g. "Connector: OK", or "Storage: failing — <why>". */
export const indicatorTitle = (label: string, value: Indicator, reason?: string): string =>
  `${label}: ${INDICATOR_WORDS[value]}${reason ? ` — ${reason}` : ''}`;

export const percent = (fraction: number): string => `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
