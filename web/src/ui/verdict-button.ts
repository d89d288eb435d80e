// The one way an action's button is drawn: enabled, or disabled with the reason as its tooltip (a
// missing right first, then the state of things), so the user knows why before clicking.
import type { Verdict } from './action-verdict.ts';
import { h } from './dom.ts';

export interface VerdictButtonOptions {
  action: string;
  label: string;
  verdict: Verdict;
  onClick: () => void;
  cls?: string;
  /** The tooltip when allowed (default: the label). */
  title?: string;
  testId?: string;
}

export function verdictButton(o: VerdictButtonOptions): HTMLButtonElement {
  const reason = o.verdict.allowed ? undefined : (o.verdict.reason ?? `${o.label} is not possible now`);
  const button = h(
    'button',
    {
      type: 'button',
      class: o.cls ?? '',
      'data-action': o.action,
      'data-testid': o.testId,
      disabled: !o.verdict.allowed,
      title: reason ?? o.title ?? o.label,
    },
    o.label,
  );
  button.addEventListener('click', o.onClick);
  return button;
}
