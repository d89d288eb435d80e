import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGrappeError } from '../errors.ts';
import type { SchedulerHost } from '../scheduler/scheduler-types.ts';
import { assertUndoable, planUndo, type EvacuationRecord, type PresentGuest } from './plan-undo.ts';

const host = (id: number, over: Partial<SchedulerHost> = {}): SchedulerHost => ({
  id,
  name: `h${id}`,
  purpose: 'processing',
  state: 'UP',
  cpuTotal: 32,
  memoryMiBTotal: 65536,
  cpuAllocated: 0,
  memoryMiBAllocated: 0,
  pools: ['san'],
  networks: ['lan'],
  ...over,
});
const h1 = { id: 1, name: 'h1' };
const h2 = { id: 2, name: 'h2' };
const h3 = { id: 3, name: 'h3' };

const record: EvacuationRecord = {
  id: 'ev-1',
  origin: h1,
  undone: false,
  entries: [
    { guest: 'vm:100', originalPower: 'running', to: h2 },
    { guest: 'vm:101', originalPower: 'stopped', to: h3 },
    { guest: 'ct:102', originalPower: 'running', to: h2 },
    { guest: 'vm:103', originalPower: 'running', to: h3 },
    { guest: 'vm:104', originalPower: 'running', to: h2 },
    { guest: 'vm:105', originalPower: 'running', to: null },
  ],
};
const present = (id: string, hostId: number, over: Partial<PresentGuest> = {}): PresentGuest => ({
  id,
  hostId,
  power: 'running',
  vcpus: 2,
  memoryMiB: 4096,
  pools: ['san'],
  networks: ['lan'],
  ...over,
});
const hosts = [host(1, { state: 'MAINT' }), host(2), host(3), host(4)];
const now = [
  present('vm:100', 2),
  present('vm:101', 3, { power: 'stopped' }),
  present('ct:102', 2),
  present('vm:103', 4), // moved by hand since
  // vm:104 deleted since
  present('vm:105', 1),
];

describe('undo evacuation plan', () => {
  it('lists what can move back (in its original state) and what is Unavailable, with why', () => {
    const plan = planUndo({ record, guests: now, hosts, history: { live: [40] } });
    assert.deepEqual(
      plan.available.map((m) => [m.guest, m.from.name, m.to.name, m.kind, m.power, m.expectedDowntimeMs]),
      [
        ['vm:100', 'h2', 'h1', 'live', 'running', 40],
        ['vm:101', 'h3', 'h1', 'cold', 'stopped', 0],
        ['ct:102', 'h2', 'h1', 'restart', 'running', 5000],
      ],
    );
    assert.deepEqual(plan.unavailable, [
      { guest: 'vm:103', why: "moved since to 'h4'" },
      { guest: 'vm:104', why: 'deleted since the evacuation' },
      { guest: 'vm:105', why: "it never left 'h1' during the evacuation" },
    ]);
    assert.equal(plan.warning, undefined);
    assert.doesNotThrow(() => assertUndoable(plan));
  });

  it('a guest stopped since the evacuation moves cold and is restarted in its original state', () => {
    const plan = planUndo({ record, guests: [present('vm:100', 2, { power: 'stopped' })], hosts });
    assert.deepEqual(
      plan.available.map((m) => [m.kind, m.power]),
      [['cold', 'running']],
    );
  });

  it('the origin host must be UP or in MAINT, and have room', () => {
    const disabled = planUndo({ record, guests: now, hosts: [host(1, { state: 'DISABLED' }), host(2), host(3), host(4)] });
    assert.equal(disabled.available.length, 0);
    assert.deepEqual(
      disabled.unavailable.find((u) => u.guest === 'vm:100'),
      { guest: 'vm:100', why: "origin host 'h1' is DISABLED; undo needs it UP or in MAINT" },
    );
    const full = planUndo({ record, guests: now, hosts: [host(1, { memoryMiBTotal: 8192 }), host(2), host(3), host(4)] });
    assert.deepEqual(
      full.available.map((m) => m.guest),
      ['vm:100', 'vm:101'],
    );
    assert.deepEqual(full.unavailable[0], { guest: 'ct:102', why: "no room on 'h1': needs 4096 MiB, 0 MiB free under ratio 1.0" });
    const gone = planUndo({ record, guests: now, hosts: [host(2), host(3), host(4)] });
    assert.match(gone.unavailable[0]!.why, /origin host 'h1' was removed/);
  });

  it('already undone: a warning, nothing listed; the API refuses it', () => {
    const plan = planUndo({ record: { ...record, undone: true }, guests: now, hosts });
    assert.deepEqual(plan.warning, { code: 'alreadyUndone', message: "evacuation 'ev-1' of host 'h1' was already undone" });
    assert.throws(
      () => assertUndoable(plan),
      (e: unknown) => isGrappeError(e) && e.code === 'alreadyUndone' && e.kind === 'conflict',
    );
  });

  it('nothing can move back: a warning that says so', () => {
    const plan = planUndo({ record, guests: [present('vm:100', 4)], hosts });
    assert.deepEqual(plan.warning, {
      code: 'nothingToUndo',
      message: "nothing to undo: none of the 6 guest(s) of evacuation 'ev-1' can move back to 'h1' (see Unavailable)",
    });
    assert.throws(
      () => assertUndoable(plan),
      (e: unknown) => isGrappeError(e) && e.code === 'nothingToUndo',
    );
    const empty = planUndo({ record: { ...record, entries: [] }, guests: [], hosts });
    assert.equal(empty.warning?.message, "nothing to undo: evacuation 'ev-1' of host 'h1' moved no guest");
  });
});
