// The Audit view: who (user, token, address) did what to which object, when, and with which result,
// newest first; filtered by user and by a part of the object ('vm:100', '/hosts/proc1').
import type { AuditEntry, AuditFilter } from '../api/access-api.ts';
import { h } from '../ui/dom.ts';
import { formatDateTime } from '../ui/format.ts';

function filterForm(filter: AuditFilter, apply: (f: AuditFilter) => void): HTMLElement {
  const user = h('input', { name: 'user', value: filter.user ?? '', placeholder: 'user' });
  const object = h('input', { name: 'object', value: filter.object ?? '', placeholder: "object: 'vm:100', '/hosts/proc1'" });
  const form = h('form', { class: 'toolbar audit-filter', 'data-testid': 'audit-filter' }, user, object, h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next: AuditFilter = {};
    if (user.value.trim()) next.user = user.value.trim();
    if (object.value.trim()) next.object = object.value.trim();
    apply(next);
  });
  return form;
}

export function auditPane(entries: readonly AuditEntry[] | null, error: string | null, filter: AuditFilter, apply: (f: AuditFilter) => void): HTMLElement {
  const head = h(
    'thead',
    {},
    h('tr', {}, ...['When', 'User', 'Token', 'From', 'Action', 'Object', 'Result', 'Message'].map((c) => h('th', { scope: 'col' }, c))),
  );
  const rows = (entries ?? []).map((e) =>
    h(
      'tr',
      { 'data-seq': e.seq, 'data-action': e.action },
      h('td', {}, formatDateTime(e.at)),
      h('td', { class: 'name' }, e.user),
      h('td', { class: 'mono' }, e.token ?? '—'),
      h('td', { class: 'mono' }, e.from ?? '—'),
      h('td', { class: 'mono' }, e.action),
      h('td', { class: 'mono' }, e.target),
      h('td', {}, h('span', { class: `badge audit-${e.result}` }, e.result)),
      h('td', {}, e.message ?? ''),
    ),
  );
  return h(
    'div',
    { class: 'audit', 'data-testid': 'audit-view' },
    filterForm(filter, apply),
    error ? h('p', { class: 'dialog-error' }, error) : null,
    entries === null
      ? h('p', { class: 'empty' }, 'Loading…')
      : rows.length === 0
        ? h('p', { class: 'empty' }, 'No entries match.')
        : h('div', { class: 'table-scroll' }, h('table', { 'data-testid': 'audit-table' }, head, h('tbody', {}, ...rows))),
  );
}
