// The small host dialogs: rename ("Edit host") and NIC edit (attach to a logical subnet with an IP).
import type { HostNic, HostView } from '../../../src/contract/host.contract.ts';
import type { Subnet, SubnetName } from '../../../src/contract/subnet.contract.ts';
import { api } from '../api/api-client.ts';
import { h } from '../ui/dom.ts';
import { field, HOST_NAME_PATTERN, openDialog } from './dialog.ts';

export function openRenameDialog(host: HostView, done: () => void): void {
  const name = h('input', { name: 'name', value: host.name, required: true, maxlength: 63, pattern: HOST_NAME_PATTERN });
  openDialog({
    title: `Edit host '${host.name}'`,
    body: h('div', { class: 'form' }, field('Name', name)),
    testId: 'edit-host-dialog',
    primary: {
      label: 'Save',
      run: async () => {
        await api.rename(host.id, name.value.trim());
        done();
        return true;
      },
    },
  });
}

export function openNicDialog(host: HostView, nic: HostNic, subnets: readonly Subnet[], done: () => void): void {
  const subnet = h(
    'select',
    { name: 'subnet' },
    ...subnets.map((s) => h('option', { value: s.name, selected: s.name === (nic.subnet ?? 'SAN') }, `${s.name} (${s.cidr})`)),
  );
  const ip = h('input', { name: 'ip', value: nic.ip ?? '', required: true, placeholder: 'an address inside the subnet' });
  openDialog({
    title: `Edit NIC ${nic.name} of '${host.name}'`,
    body: h('div', { class: 'form' }, field('Logical subnet', subnet), field('IP address', ip)),
    testId: 'nic-dialog',
    primary: {
      label: 'Save',
      run: async () => {
        await api.editNic(host.id, nic.name, subnet.value as SubnetName, ip.value.trim());
        done();
        return true;
      },
    },
  });
}
