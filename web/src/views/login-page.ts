// The login page: username and password for a bearer token kept for this browser tab's session.
import { api, session } from '../api/api-client.ts';
import { h } from '../ui/dom.ts';
import { logo } from '../ui/logo.ts';

export function loginPage(notice: string | null, onLoggedIn: () => void): HTMLElement {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, value: 'admin' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, autofocus: true });
  const error = h('p', { class: 'login-error', role: 'alert', hidden: notice === null }, notice ?? '');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h(
    'form',
    { class: 'login-card', 'data-testid': 'login-form' },
    h('div', { class: 'brand big' }, logo(34), 'Grappe'),
    h('p', { class: 'subtitle' }, 'Virtualization cluster manager'),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Username'), username),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Password'), password),
    error,
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit.disabled = true;
    error.hidden = true;
    api
      .login(username.value.trim(), password.value)
      .then((login) => {
        session.save(login);
        onLoggedIn();
      })
      .catch((err: unknown) => {
        error.textContent = err instanceof Error ? err.message : String(err);
        error.hidden = false;
        submit.disabled = false;
        password.select();
      });
  });
  queueMicrotask(() => password.focus());
  return h('main', { class: 'login-page' }, form);
}
