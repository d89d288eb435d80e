// "Add host": purpose; storage location and service pool for processing hosts only; a
// name or a random one; IP; password — the factory default asks for a new one; Advanced: connector
// port and syslog forwarding. Submitting starts the host.add task and follows it to its end.
import type { HostAddRequest, HostView } from '../../../src/contract/host.contract.ts';
import { DEFAULT_SERVICE_POOL, DEFAULT_STORAGE_LOCATION } from '../../../src/contract/shared-rules.ts';
import { HOST_PURPOSES, type HostPurpose } from '../../../src/contract/shared-rules.ts';
import { randomHostName } from '../../../src/contract/shared-rules.ts';
import { api } from '../api/api-client.ts';
import { h } from '../ui/dom.ts';
import { DEFAULT_AGENT_PORT, FACTORY_DEFAULT_PASSWORD } from '../../../src/contract/agent-constants.ts';
import { field, HOST_NAME_PATTERN, openDialog } from './dialog.ts';
import { followTask } from './task-progress.ts';

const IPV4_PATTERN = '((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

export function openAddHostDialog(takenNames: readonly string[], onAdded: (host: HostView) => void): void {
  const purpose = h('select', { name: 'purpose' }, ...HOST_PURPOSES.map((p) => h('option', { value: p, selected: p === 'processing' }, p)));
  const storageLocation = h('input', { name: 'storageLocation', value: DEFAULT_STORAGE_LOCATION, required: true });
  const servicePool = h('input', { name: 'servicePool', value: DEFAULT_SERVICE_POOL, required: true });
  const name = h('input', { name: 'name', placeholder: 'leave empty for a random name', pattern: HOST_NAME_PATTERN, maxlength: 63 });
  const random = h('button', { type: 'button', class: 'small', title: 'Generate a random host name' }, 'Random');
  const address = h('input', { name: 'address', required: true, pattern: IPV4_PATTERN, placeholder: '198.18.0.11', title: 'an IPv4 address' });
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'off' });
  const newPassword = h('input', { name: 'newPassword', type: 'password', minlength: 8, autocomplete: 'new-password' });
  const confirm = h('input', { name: 'confirmPassword', type: 'password', autocomplete: 'new-password' });
  const port = h('input', { name: 'port', type: 'number', min: 1, max: 65535, value: DEFAULT_AGENT_PORT, required: true });
  const syslogOn = h('input', { name: 'syslogEnabled', type: 'checkbox' });
  const syslogAddress = h('input', { name: 'syslogAddress', placeholder: '198.18.0.5:514' });

  const processingRows = [field('Storage location', storageLocation), field('Service pool', servicePool)];
  const newPasswordRows = [
    h('p', { class: 'hint', 'data-testid': 'default-password-hint' }, `This host still has the factory-default password; choose a new one.`),
    field('New password', newPassword),
    field('Confirm new password', confirm),
  ];
  const syslogRow = field('Syslog server', syslogAddress);
  const progress = h('div', { class: 'task-progress' });

  const sync = (): void => {
    const isProcessing = purpose.value === 'processing';
    for (const row of processingRows) row.hidden = !isProcessing;
    storageLocation.required = servicePool.required = isProcessing;
    const isDefault = password.value === FACTORY_DEFAULT_PASSWORD;
    for (const row of newPasswordRows) row.hidden = !isDefault;
    newPassword.required = confirm.required = isDefault;
    confirm.setCustomValidity(isDefault && confirm.value !== newPassword.value ? 'the two new passwords differ' : '');
    newPassword.setCustomValidity(isDefault && newPassword.value === FACTORY_DEFAULT_PASSWORD ? 'the new password must differ from the factory default' : '');
    syslogRow.hidden = !syslogOn.checked;
    syslogAddress.required = syslogOn.checked;
  };
  for (const el of [purpose, password, newPassword, confirm, syslogOn]) {
    el.addEventListener('input', sync);
    el.addEventListener('change', sync);
  }
  random.addEventListener('click', () => {
    name.value = randomHostName(Math.random, new Set(takenNames));
  });

  const body = h(
    'div',
    { class: 'form' },
    field('Purpose', purpose),
    ...processingRows,
    field('Name', name, random),
    field('IP address', address),
    field('Password', password),
    ...newPasswordRows,
    h(
      'details',
      { class: 'advanced' },
      h('summary', {}, 'Advanced'),
      field('Connector port', port),
      h('label', { class: 'check' }, syslogOn, ' Forward logs to a central syslog server'),
      syslogRow,
    ),
    progress,
  );
  sync();

  const requestOf = (): HostAddRequest => {
    const isProcessing = purpose.value === 'processing';
    const req: HostAddRequest = {
      purpose: purpose.value as HostPurpose,
      address: address.value.trim(),
      password: password.value,
      port: Number(port.value),
      ...(name.value.trim() ? { name: name.value.trim() } : {}),
      ...(password.value === FACTORY_DEFAULT_PASSWORD ? { newPassword: newPassword.value } : {}),
      ...(isProcessing ? { storageLocation: storageLocation.value.trim(), servicePool: servicePool.value.trim() } : {}),
      ...(syslogOn.checked ? { syslog: { enabled: true, address: syslogAddress.value.trim() } } : {}),
    };
    return req;
  };

  openDialog({
    title: 'Add host',
    body,
    testId: 'add-host-dialog',
    primary: {
      label: 'Add',
      run: async () => {
        const { taskId } = await api.addHost(requestOf());
        const task = await followTask(taskId, progress);
        if (task.state === 'failed') {
          progress.replaceChildren(); // the error line below says it all
          throw new Error(task.error?.message ?? 'the add failed');
        }
        onAdded(task.result as HostView);
        return true;
      },
    },
  });
}
