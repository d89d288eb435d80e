import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schedule } from '../../core/scheduler/schedule.ts';
import type { SchedulerHost } from '../../core/scheduler/scheduler-types.ts';
import { renderDecision } from './decision-view.ts';

const host = (id: number, name: string, over: Partial<SchedulerHost> = {}): SchedulerHost => ({
  id,
  name,
  purpose: 'processing',
  state: 'UP',
  cpuTotal: 4,
  memoryMiBTotal: 4096,
  cpuAllocated: 0,
  memoryMiBAllocated: 0,
  pools: [],
  networks: ['default'],
  ...over,
});

test('a decision shows the request, the winner and why, then every host: passed by score, rejected with the reason', () => {
  const d = schedule(
    [
      host(1, 'busy', { memoryMiBAllocated: 2048, cpuAllocated: 2 }),
      host(2, 'idle'),
      host(3, 'maint', { state: 'MAINT' }),
      host(4, 'stor', { purpose: 'storage' }),
    ],
    { guest: "guest 'web'", vcpus: 1, memoryMiB: 512, networks: ['default'] },
    { policy: 'spread' },
  );
  const text = renderDecision(d, false);
  const lines = text.split('\n');
  assert.match(text, /Placing: +guest 'web': 1 vCPU\(s\), 512 MiB/);
  assert.match(text, /Policy: +spread \(over-commit CPU 4\.0, memory 1\.0\)/);
  assert.match(text, /Hosts: +4: 2 passed the filters, rejected 1 by purpose, 1 by state/);
  assert.match(text, /Winner: +idle \(score 0\.\d{3}\)/);
  assert.match(text, /Why: +host 'idle' won with the most free capacity after placing \(spread\).*ahead of 'busy'/);
  const header = lines.findIndex((l) => /^HOST +VERDICT +SCORE +MEM FREE +CPU FREE +REASON$/.test(l));
  assert.ok(header > 0, text);
  const rows = lines.slice(header + 1, header + 5);
  assert.match(rows[0]!, /^idle +winner +0\.\d{3} +87\.5% +93\.8%$/);
  assert.match(rows[1]!, /^busy +passed +0\.\d{3} +37\.5% +81\.3%$/);
  assert.match(rows[2]!, /^maint +rejected \(state\) +- +- +- +it is MAINT: a host in maintenance never receives guests$/);
  assert.match(rows[3]!, /^stor +rejected \(purpose\) +- +- +- +it is a storage host, and guests run on processing hosts$/);
});

test('no winner: says so and why; a decision without candidates is just the summary', () => {
  const none = schedule([host(1, 'small')], { guest: 'vm:100', vcpus: 1, memoryMiB: 9000 });
  const text = renderDecision(none, false);
  assert.match(text, /Winner: +none/);
  assert.match(text, /Why: +no host can take vm:100/);
  assert.match(text, /small +rejected \(memory\) .*needs 9000 MiB, 4096 MiB free under ratio 1\.0/);
  assert.doesNotMatch(renderDecision({ ...none, candidates: [] }, false), /HOST/);
});
