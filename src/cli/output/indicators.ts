// Status circles: ● green / ● red / - not applicable. On a colour terminal the circle is coloured;
// without colour a red indicator is drawn as ✗ so it still reads differently from a green one.
import type { Indicator } from '../../contract/common.ts';
import { paint } from './ansi.ts';

export function renderIndicator(value: Indicator, color: boolean): string {
  if (value === 'n/a') return '-';
  if (value === 'green') return paint(color, 'green', '●');
  return color ? paint(color, 'red', '●') : '✗';
}

/** Words for detail views, where there is room to say it. */
export function describeIndicator(value: Indicator, color: boolean): string {
  if (value === 'n/a') return '- (not applicable)';
  return `${renderIndicator(value, color)} ${value === 'green' ? 'ok' : 'failing'}`;
}
