// `grappe doctor`'s table: one row per check (OK / WARN / FAIL), and under each failing one the line
// that fixes it. Pure: checks in, text out.
import type { DoctorCheckView } from '../../contract/doctor.contract.ts';
import { paint } from './ansi.ts';
import { renderTable } from './table.ts';

const STATUS_STYLE = { ok: 'green', warn: 'yellow', fail: 'red' } as const;

export function renderDoctor(checks: readonly DoctorCheckView[], color: boolean): string {
  const rows: string[][] = [];
  for (const c of checks) {
    rows.push([c.scope, c.name, paint(color, STATUS_STYLE[c.status], c.status.toUpperCase()), c.detail]);
    if (c.fix && c.status !== 'ok') rows.push(['', '', '', `fix: ${c.fix}`]);
  }
  const table = renderTable([{ header: 'SCOPE' }, { header: 'CHECK' }, { header: 'STATUS' }, { header: 'DETAIL' }], rows);
  return `${table}\n${doctorSummary(checks)}\n`;
}

export function doctorSummary(checks: readonly Pick<DoctorCheckView, 'status'>[]): string {
  const n = (s: DoctorCheckView['status']): number => checks.filter((c) => c.status === s).length;
  return `doctor: ${n('ok')} OK, ${n('warn')} WARN, ${n('fail')} FAIL`;
}
