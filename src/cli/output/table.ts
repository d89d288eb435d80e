// Plain-text tables, `onehost list` style: upper-case headers, columns separated by two spaces,
// numbers right-aligned. Pure: strings in, string out.
import { visibleWidth } from './ansi.ts';

export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
}

const pad = (text: string, width: number, align: 'left' | 'right'): string => {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'right' ? fill + text : text + fill;
};

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(visibleWidth(c.header), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    columns
      .map((c, i) => pad(cells[i] ?? '', widths[i] ?? 0, c.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n') + '\n';
}

/** `key: value` lines with the keys aligned, for detail views. */
export function renderFields(fields: readonly (readonly [string, string])[], indent = '  '): string {
  const width = Math.max(0, ...fields.map(([k]) => visibleWidth(k) + 1));
  return fields.map(([k, v]) => `${indent}${pad(`${k}:`, width, 'left')} ${v}`.trimEnd()).join('\n') + '\n';
}
