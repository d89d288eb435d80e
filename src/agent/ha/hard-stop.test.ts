import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentError } from '../agent-error.ts';
import { hardStopGuests } from './hard-stop.ts';

test('VMs go to the QEMU driver, containers to LXC, all at once; nothing throws', async () => {
  const calls: string[] = [];
  const results = await hardStopGuests(['vm:100', 'vm:102', 'ct:101', 'ct:103', 'ct:104'], {
    qemu: {
      forceStop: async (id) => {
        calls.push(`qemu ${id}`);
        if (id === 'vm:102') throw new Error('survived SIGKILL');
        return { id, by: 'kill' };
      },
    },
    lxc: {
      forceStop: async (id) => {
        calls.push(`lxc ${id}`);
        if (id === 'ct:103') throw new AgentError('noSuchGuest', `no container '${id}' on this host`);
        return { id, name: id, state: id === 'ct:104' ? 'other' : 'stopped' };
      },
    },
  });
  assert.deepEqual(calls.sort(), ['lxc ct:101', 'lxc ct:103', 'lxc ct:104', 'qemu vm:100', 'qemu vm:102']);
  assert.deepEqual(results, { 'vm:100': 'killed', 'vm:102': 'failed: survived SIGKILL', 'ct:101': 'killed', 'ct:103': 'notRunning', 'ct:104': 'still other' });
});
